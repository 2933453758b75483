import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { deleteInBatches } from '../../server/maintenance/retention.js';
import { prismaLogStore } from '../../server/observability/log-insert.js';
import { toLogRow } from '../../server/observability/log-row.js';
import type { LogStore } from '../../server/observability/log-store.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';

const DAY = 86_400_000;
const row = (i: number, at: Date) => toLogRow({ at, clientApi: 'chat-completions', attempts: 1, stream: false, status: 200, latencyMs: i, costUsd: 0 });

describe.each([
  ['SQLite worker store', 'sqlite-worker'],
  ['Prisma store', 'prisma'],
] as const)('retention deletes in bounded batches (%s)', (_label, kind) => {
  let dir: string;
  let db: Db;
  let store: LogStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'obs-retention-'));
    const target = { kind: 'sqlite' as const, location: path.join(dir, 'r.db') };
    await applyPendingMigrations(target);
    db = await openDatabase(target);
    store = kind === 'prisma' ? prismaLogStore(db, 'sqlite') : new SqliteLogStore(target.location);
  });
  afterAll(async () => {
    await store?.close();
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes every row before the cutoff, oldest first, in batches of the given size', async () => {
    const now = Date.now();
    const old = Array.from({ length: 2_500 }, (_, i) => row(i, new Date(now - 40 * DAY + i * 1000)));
    const recent = Array.from({ length: 10 }, (_, i) => row(10_000 + i, new Date(now - i * 1000)));
    for (let i = 0; i < old.length; i += 500) await store.insert(old.slice(i, i + 500));
    await store.insert(recent);

    const batches: number[] = [];
    const cutoff = new Date(now - 30 * DAY);
    const removed = await deleteInBatches(
      async (limit) => {
        const n = await store.deleteBefore(cutoff, limit);
        batches.push(n);
        return n;
      },
      { rows: 1_000, pauseMs: 1 },
    );
    expect(removed).toBe(2_500);
    expect(batches).toEqual([1_000, 1_000, 500]);
    const left = await db.requestLog.findMany({ select: { latencyMs: true }, orderBy: { latencyMs: 'asc' } });
    expect(left.map((r) => r.latencyMs)).toEqual(recent.map((r) => r.latencyMs));

    // Oldest first: a single bounded batch takes the oldest rows.
    await store.insert([row(1, new Date(now - 50 * DAY)), row(2, new Date(now - 45 * DAY))]);
    expect(await store.deleteBefore(cutoff, 1)).toBe(1);
    expect((await db.requestLog.findMany({ where: { createdAt: { lt: cutoff } }, select: { latencyMs: true } })).map((r) => r.latencyMs)).toEqual([2]);
  });
});
