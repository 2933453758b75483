import type { Db } from '../db/client.js';
import { parseCheckConfig } from './check-config.js';
import { scrubText } from '../secrets/redactor.js';
import type { CheckOutcome, RunRecord } from '../core/health-run.js';
import type { TargetKind, TargetSpec } from './types.js';

type TargetRow = Awaited<ReturnType<Db['healthTarget']['findFirstOrThrow']>>;
type RunRow = Awaited<ReturnType<Db['healthRun']['findFirstOrThrow']>>;

export function toSpec(row: TargetRow): TargetSpec {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as TargetKind,
    modelName: row.modelName,
    enabled: row.enabled,
    intervalSeconds: row.intervalSeconds,
    checkPrompt: row.checkPrompt,
    checkConfig: parseCheckConfig(row.checkConfig),
  };
}

export function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    targetId: row.targetId,
    startedAt: row.startedAt,
    status: row.status === 'success' ? 'success' : 'failure',
    latencyMs: row.latencyMs,
    ttftMs: row.ttftMs,
    errorType: row.errorType as RunRecord['errorType'],
    // Scrubbed when stored (probe.ts); scrubbed again on the way out, so a run stored before a
    // key was configured (or by an older version) never shows it on the public pages.
    errorMessage: row.errorMessage === null ? null : scrubText(row.errorMessage),
  };
}

/** Reads and writes of health targets and runs. */
export class HealthRepository {
  constructor(private readonly db: Db) {}

  async targets(onlyEnabled = false): Promise<TargetSpec[]> {
    const rows = await this.db.healthTarget.findMany({ where: onlyEnabled ? { enabled: true } : {}, orderBy: { name: 'asc' } });
    return rows.map(toSpec);
  }

  async target(id: string): Promise<TargetSpec | null> {
    const row = await this.db.healthTarget.findUnique({ where: { id } });
    return row ? toSpec(row) : null;
  }

  async recordRun(targetId: string, startedAt: Date, outcome: CheckOutcome): Promise<RunRecord> {
    return toRun(await this.db.healthRun.create({ data: { targetId, startedAt, ...outcome } }));
  }

  /** Runs since `since` for the given targets, plus enough older ones for the state rule. */
  async runsSince(targetIds: string[], since: Date): Promise<Map<string, RunRecord[]>> {
    const byTarget = new Map<string, RunRecord[]>(targetIds.map((id) => [id, []]));
    if (targetIds.length === 0) return byTarget;
    const rows = await this.db.healthRun.findMany({
      where: { targetId: { in: targetIds }, startedAt: { gte: since } },
      orderBy: { startedAt: 'desc' },
    });
    for (const row of rows) byTarget.get(row.targetId)?.push(toRun(row));
    return byTarget;
  }

  async runsPage(targetId: string, since: Date, skip: number, take: number): Promise<{ total: number; runs: RunRecord[] }> {
    const where = { targetId, startedAt: { gte: since } };
    const [total, rows] = await Promise.all([
      this.db.healthRun.count({ where }),
      this.db.healthRun.findMany({ where, orderBy: { startedAt: 'desc' }, skip, take }),
    ]);
    return { total, runs: rows.map(toRun) };
  }

  /** Checks and failures per target and UTC day since `since` (only the two columns are read). */
  async dailyCounts(targetIds: string[], since: Date): Promise<Map<string, Map<string, { runs: number; failures: number }>>> {
    const byTarget = new Map<string, Map<string, { runs: number; failures: number }>>(targetIds.map((id) => [id, new Map()]));
    if (targetIds.length === 0) return byTarget;
    const rows = await this.db.healthRun.findMany({
      where: { targetId: { in: targetIds }, startedAt: { gte: since } },
      select: { targetId: true, startedAt: true, status: true },
    });
    for (const row of rows) {
      const days = byTarget.get(row.targetId);
      if (!days) continue;
      const day = row.startedAt.toISOString().slice(0, 10);
      const counts = days.get(day) ?? { runs: 0, failures: 0 };
      counts.runs++;
      if (row.status !== 'success') counts.failures++;
      days.set(day, counts);
    }
    return byTarget;
  }

  async pruneBefore(cutoff: Date): Promise<number> {
    const { count } = await this.db.healthRun.deleteMany({ where: { startedAt: { lt: cutoff } } });
    return count;
  }
}
