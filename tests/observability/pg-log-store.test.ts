// The PostgreSQL request-log store (`pg` directly) against a real server: the
// same batch isolation and bounded retention as on SQLite, and rows that read
// back through Prisma exactly as written. Skips with a printed line without
// PostgreSQL (fails in CI), like the other PostgreSQL suites.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { deleteInBatches } from '../../server/maintenance/retention.js';
import type { RequestLogRow } from '../../server/core/request-log-row.js';
import { toLogRow } from '../../server/observability/log-row.js';
import { RequestLogWriter } from '../../server/observability/log-writer.js';
import { PostgresLogStore } from '../../server/observability/pg-log-store.js';
import { dropDatabase, ensureDatabase } from '../support/postgres.js';
import { skipUnlessServices } from '../support/services.js';

const DAY = 86_400_000;
const noPostgres = await skipUnlessServices('request log store (PostgreSQL)', { postgres: true });

function row(i: number, requestedModel: string, at = new Date()): RequestLogRow {
  return {
    ...toLogRow({
      at,
      clientApi: 'messages',
      attempts: 1,
      stream: true,
      status: 200,
      latencyMs: i,
      costUsd: 0.25,
      rulesApplied: [{ id: 'r1', kind: 'system_prompt' }],
    }),
    requestedModel,
  };
}

describe.skipIf(noPostgres)('request log store (PostgreSQL)', () => {
  const name = `gwtest_logstore_${process.pid}_${Date.now()}`;
  let db: Db;
  let store: PostgresLogStore;

  beforeAll(async () => {
    const url = await ensureDatabase(name);
    await applyPendingMigrations({ kind: 'postgres', location: url });
    db = await openDatabase({ kind: 'postgres', location: url });
    store = new PostgresLogStore(url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.$disconnect();
    await dropDatabase(name);
  });

  it('writes rows that read back through Prisma as written (UTC times, booleans, JSON)', async () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const written = row(7, 'claude-x', at);
    await store.insert([written]);
    const stored = await db.requestLog.findUniqueOrThrow({ where: { id: written.id } });
    expect(stored.createdAt.toISOString()).toBe(at.toISOString());
    expect(stored).toMatchObject({ requestedModel: 'claude-x', stream: true, status: 200, latencyMs: 7, costUsd: 0.25, clientApi: 'messages' });
    expect(stored.rulesApplied).toEqual([{ id: 'r1', kind: 'system_prompt' }]);
  });

  it('isolates the rows PostgreSQL refuses (a NUL byte that skipped the cleaning) and writes the rest', async () => {
    await db.requestLog.deleteMany();
    const writer = new RequestLogWriter(store, pino({ level: 'silent' }), { batchSize: 40, flushIntervalMs: 10_000, maxBuffered: 1_000 });
    const rows = Array.from({ length: 40 }, (_, i) => row(i, i === 5 || i === 30 ? 'bad\u0000name' : `model-${i}`));
    for (const r of rows) writer.add(r);
    await writer.flush();
    expect(writer.stats.rejected).toBe(2);
    expect(writer.stats.failedFlushes).toBe(0);
    const stored = await db.requestLog.findMany({ select: { latencyMs: true }, orderBy: { latencyMs: 'asc' } });
    expect(stored.map((s) => s.latencyMs)).toEqual(rows.map((_, i) => i).filter((i) => i !== 5 && i !== 30));
    await writer.close();
  });

  it('deletes rows past retention in bounded batches', async () => {
    await db.requestLog.deleteMany();
    const now = Date.now();
    await store.insert(Array.from({ length: 250 }, (_, i) => row(i, 'old', new Date(now - 40 * DAY + i * 1000))));
    await store.insert([row(1_000, 'new')]);
    const batches: number[] = [];
    const removed = await deleteInBatches(
      async (limit) => {
        const n = await store.deleteBefore(new Date(now - 30 * DAY), limit);
        batches.push(n);
        return n;
      },
      { rows: 100, pauseMs: 1 },
    );
    expect(removed).toBe(250);
    expect(batches).toEqual([100, 100, 50]);
    expect((await db.requestLog.findMany({ select: { requestedModel: true } })).map((r) => r.requestedModel)).toEqual(['new']);
  });
});
