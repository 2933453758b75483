import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Prisma } from '../db/generated/sqlite/index.js';
import { dayPeriod, monthPeriod, TOTAL_PERIOD, weekPeriod } from './periods.js';
import { teamSubjectId, type SpendOwner } from './subjects.js';
import type { SpendSeed } from './store.js';

interface PendingSpend {
  total: number;
  periods: Map<string, number>;
}

/** How an owner's spend rows are reached through Prisma. */
interface SpendRows {
  alive(ids: string[]): Promise<Array<{ id: string }>>;
  /** Raw, so that spend does not bump updatedAt (which tracks configuration edits). */
  addTotal(id: string, usd: number): Prisma.PrismaPromise<unknown>;
  addPeriod(id: string, period: string, usd: number): Prisma.PrismaPromise<unknown>;
}

/** One key's spend to add: its total and per period (UTC day and month). */
export interface SpendEntry {
  keyId: string;
  total: number;
  periods: Array<[string, number]>;
}

/** Adds spend off the event loop (SQLite: the background writer thread); keys that no longer exist are skipped. */
export interface SpendSink {
  addSpend(entries: SpendEntry[]): Promise<void>;
}

/**
 * Writes key spend to the database off the request path: costs are summed in
 * memory and added (as increments, so several instances never overwrite each
 * other) to VirtualKey.spendUsd and to the KeySpend row of the UTC day and month,
 * every few seconds and on close. A failed write is kept and retried. With a
 * `SpendSink` (SQLite) the write runs in the background writer thread; else
 * through Prisma (PostgreSQL, whose driver does not block the event loop).
 */
export class SpendPersister {
  private pending = new Map<string, PendingSpend>();
  /** Team spend, written through Prisma (few rows: one per team with traffic). */
  private pendingTeams = new Map<string, PendingSpend>();
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    intervalMs = 5_000,
    private readonly sink?: SpendSink,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  add(ownerId: string, usd: number, now: number, owner: SpendOwner = 'key'): void {
    if (!(usd > 0)) return;
    if (owner === 'team') {
      merge(this.pendingTeams, ownerId, usd, [
        [dayPeriod(now), usd],
        [weekPeriod(now), usd],
        [monthPeriod(now), usd],
      ]);
      return;
    }
    this.merge(ownerId, usd, [
      [dayPeriod(now), usd],
      [monthPeriod(now), usd],
    ]);
  }

  /** Spend of every key (total) and of the current UTC day and month, to seed the counters. */
  async load(now: number): Promise<SpendSeed[]> {
    const [keys, periods, teams, teamPeriods] = await Promise.all([
      this.db.virtualKey.findMany({ where: { spendUsd: { gt: 0 } }, select: { id: true, spendUsd: true } }),
      this.db.keySpend.findMany({ where: { period: { in: [dayPeriod(now), monthPeriod(now)] } } }),
      this.db.team.findMany({ where: { spendUsd: { gt: 0 } }, select: { id: true, spendUsd: true } }),
      this.db.teamSpend.findMany({ where: { period: { in: [dayPeriod(now), weekPeriod(now), monthPeriod(now)] } } }),
    ]);
    return [
      ...keys.map((k) => ({ keyId: k.id, period: TOTAL_PERIOD, usd: k.spendUsd })),
      ...periods.map((p) => ({ keyId: p.virtualKeyId, period: p.period, usd: p.spendUsd })),
      ...teams.map((t) => ({ keyId: teamSubjectId(t.id), period: TOTAL_PERIOD, usd: t.spendUsd })),
      ...teamPeriods.map((p) => ({ keyId: teamSubjectId(p.teamId), period: p.period, usd: p.spendUsd })),
    ];
  }

  /** Writes what is pending; calls queue behind each other. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.write()).catch(() => {});
    return this.chain;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Adds a batch to its owners' rows in one transaction: the total, then each period.
   * Owners deleted meanwhile take their unsaved spend with them.
   */
  private async addThroughPrisma(batch: Map<string, PendingSpend>, rows: SpendRows): Promise<void> {
    const alive = await rows.alive([...batch.keys()]);
    const operations = alive.flatMap(({ id }) => {
      const entry = batch.get(id)!;
      return [rows.addTotal(id, entry.total), ...[...entry.periods].map(([period, usd]) => rows.addPeriod(id, period, usd))];
    });
    if (operations.length) await this.db.$transaction(operations);
  }

  private merge(keyId: string, total: number, periods: Iterable<[string, number]>): void {
    merge(this.pending, keyId, total, periods);
  }

  private async write(): Promise<void> {
    await this.writeTeams();
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      if (this.sink) {
        await this.sink.addSpend([...batch].map(([keyId, entry]) => ({ keyId, total: entry.total, periods: [...entry.periods] })));
        return;
      }
      await this.addThroughPrisma(batch, {
        alive: (ids) => this.db.virtualKey.findMany({ where: { id: { in: ids } }, select: { id: true } }),
        addTotal: (id, usd) => this.db.$executeRaw`UPDATE "VirtualKey" SET "spendUsd" = "spendUsd" + ${usd} WHERE "id" = ${id}`,
        addPeriod: (virtualKeyId, period, usd) =>
          this.db.keySpend.upsert({
            where: { virtualKeyId_period: { virtualKeyId, period } },
            create: { virtualKeyId, period, spendUsd: usd },
            update: { spendUsd: { increment: usd } },
          }),
      });
    } catch (error) {
      for (const [keyId, entry] of batch) this.merge(keyId, entry.total, entry.periods);
      this.logger.warn({ err: error }, 'could not save key spend; will retry');
    }
  }

  private async writeTeams(): Promise<void> {
    if (this.pendingTeams.size === 0) return;
    const batch = this.pendingTeams;
    this.pendingTeams = new Map();
    try {
      await this.addThroughPrisma(batch, {
        alive: (ids) => this.db.team.findMany({ where: { id: { in: ids } }, select: { id: true } }),
        addTotal: (id, usd) => this.db.$executeRaw`UPDATE "Team" SET "spendUsd" = "spendUsd" + ${usd} WHERE "id" = ${id}`,
        addPeriod: (teamId, period, usd) =>
          this.db.teamSpend.upsert({
            where: { teamId_period: { teamId, period } },
            create: { teamId, period, spendUsd: usd },
            update: { spendUsd: { increment: usd } },
          }),
      });
    } catch (error) {
      for (const [teamId, entry] of batch) merge(this.pendingTeams, teamId, entry.total, entry.periods);
      this.logger.warn({ err: error }, 'could not save team spend; will retry');
    }
  }
}

function merge(pending: Map<string, PendingSpend>, id: string, total: number, periods: Iterable<[string, number]>): void {
  let entry = pending.get(id);
  if (!entry) pending.set(id, (entry = { total: 0, periods: new Map() }));
  entry.total += total;
  for (const [period, usd] of periods) entry.periods.set(period, (entry.periods.get(period) ?? 0) + usd);
}
