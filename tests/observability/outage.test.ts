import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { toLogRow } from '../../server/observability/log-row.js';
import { RequestLogWriter } from '../../server/observability/log-writer.js';
import { RetentionPruner } from '../../server/maintenance/retention.js';
import { chat, hello, pool, startTraffic } from './helpers.js';
import { waitFor } from '../support/wait.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { prismaRow } from '../support/log-rows.js';

const tableOff = (db: Db) => db.$executeRawUnsafe('ALTER TABLE "RequestLog" RENAME TO "RequestLog_off"');
const tableOn = (db: Db) => db.$executeRawUnsafe('ALTER TABLE "RequestLog_off" RENAME TO "RequestLog"');

function row(i: number, at = new Date()) {
  return toLogRow({ at, clientApi: 'chat-completions', requestedModel: `m-${i}`, attempts: 1, stream: false, status: 200, latencyMs: i, costUsd: 0 });
}

describe('log writer against a failing database', () => {
  let dir: string;
  let db: Db;
  let store: SqliteLogStore;
  const messages: Array<{ level: number; msg: string; dropped?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void messages.push(JSON.parse(line)) });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'obs-writer-'));
    const target = { kind: 'sqlite' as const, location: path.join(dir, 'w.db') };
    await applyPendingMigrations(target);
    db = await openDatabase(target);
    store = new SqliteLogStore(target.location);
  });
  afterAll(async () => {
    await store?.close();
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps rows while writes fail and writes all of them once the database is back', async () => {
    const writer = new RequestLogWriter(store, logger, { batchSize: 50, flushIntervalMs: 20, maxBuffered: 500, retryBaseMs: 20, retryMaxMs: 100 });
    writer.start();
    await tableOff(db);
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    for (const r of rows) writer.add(r);
    await waitFor(() => writer.stats.failedFlushes >= 3, { timeoutMs: 10_000 });
    expect(writer.depth).toBe(300);
    expect(writer.stats.dropped).toBe(0);
    expect(messages.some((m) => m.level === 40 && /write failed/.test(m.msg))).toBe(true);

    await tableOn(db);
    await waitFor(() => writer.depth === 0, { timeoutMs: 10_000 });
    const stored = await db.requestLog.findMany({ select: { id: true } });
    expect(new Set(stored.map((s) => s.id))).toEqual(new Set(rows.map((r) => r.id)));
    expect(writer.stats.rowsWritten).toBe(300);
    expect(messages.some((m) => /recovered/.test(m.msg))).toBe(true);
    await writer.close();
  });

  it('past the bound drops the oldest rows, counts them and warns', async () => {
    await db.requestLog.deleteMany();
    const writer = new RequestLogWriter(store, logger, { batchSize: 50, flushIntervalMs: 20, maxBuffered: 500, retryBaseMs: 20, retryMaxMs: 100 });
    writer.start();
    await tableOff(db);
    const rows = Array.from({ length: 800 }, (_, i) => row(i));
    for (const r of rows) writer.add(r);
    expect(writer.depth).toBe(500);
    expect(writer.stats.dropped).toBe(300);
    // One warning per 10 s at most (with the count since the last one), not one per row.
    const warnings = messages.filter((m) => m.level === 40 && /buffer full/.test(m.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].dropped).toBeGreaterThan(0);

    try {
      await waitFor(() => writer.stats.failedFlushes >= 2, { timeoutMs: 10_000 });
      expect(writer.depth).toBe(500);
    } finally {
      await tableOn(db);
    }
    await writer.close();
    const stored = await db.requestLog.findMany({ select: { id: true } });
    expect(new Set(stored.map((s) => s.id))).toEqual(new Set(rows.slice(300).map((r) => r.id)));
  });

  it('prunes rows past the retention period', async () => {
    await db.requestLog.deleteMany();
    const day = 86_400_000;
    await db.requestLog.createMany({
      data: [row(1, new Date(Date.now() - 40 * day)), row(2, new Date(Date.now() - 31 * day)), row(3, new Date(Date.now() - 29 * day)), row(4)].map(prismaRow),
    });
    const deleteBefore = async (cutoff: Date) => (await db.requestLog.deleteMany({ where: { createdAt: { lt: cutoff } } })).count;
    const pruner = new RetentionPruner(deleteBefore, logger, 'request log rows', 30);
    expect(await pruner.prune()).toBe(2);
    expect((await db.requestLog.findMany({ select: { latencyMs: true }, orderBy: { latencyMs: 'asc' } })).map((r) => r.latencyMs)).toEqual([3, 4]);
    expect(await new RetentionPruner(deleteBefore, logger, 'request log rows', 0).prune()).toBe(0);
  });
});

describe('gateway during a database outage', () => {
  it('answers every request and logs them all once the table is back', async () => {
    const t = await startTraffic({ REQUEST_LOG_FLUSH_MS: '50', REQUEST_LOG_BATCH_SIZE: '20' });
    try {
      const { db, requestLogs } = t.gw.services;
      await tableOff(db);
      const results = await pool(200, 20, () => chat(t.gw, t.key, hello('gpt-x', 'during outage')));
      expect(results.every((r) => r.status === 200)).toBe(true);
      await waitFor(() => requestLogs.stats.failedFlushes > 0, { timeoutMs: 10_000 });
      expect(requestLogs.depth).toBe(200);

      const metrics = await (await fetch(`${t.gw.url}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_log_buffer_depth 200$/m);

      await tableOn(db);
      await requestLogs.flush();
      expect(requestLogs.depth).toBe(0);
      expect(await db.requestLog.count({ where: { virtualKeyId: t.keyId } })).toBe(200);
      expect(requestLogs.stats.dropped).toBe(0);
    } finally {
      await t.stop();
    }
  });
});
