import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { prismaLogStore } from '../../server/observability/log-insert.js';
import type { RequestLogRow } from '../../server/core/request-log-row.js';
import { STORED_TEXT_LIMITS, storableText, toLogRow } from '../../server/observability/log-row.js';
import type { LogStore } from '../../server/observability/log-store.js';
import { RequestLogWriter } from '../../server/observability/log-writer.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { allLogs, hello, startTraffic, type Traffic } from './helpers.js';
import { parsePrometheusText, sampleValue } from './prom-text.js';

/** POST /v1/chat/completions with the body exactly as given (raw JSON escapes survive). */
async function rawChat(t: Traffic, body: string): Promise<number> {
  const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('a client cannot poison the request log', () => {
  let t: Traffic;
  beforeAll(async () => {
    t = await startTraffic({ REQUEST_LOG_FLUSH_MS: '20', REQUEST_LOG_BATCH_SIZE: '20' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('logs a lone-surrogate model, NUL bytes and an over-long model, and every request after them', async () => {
    // Each sent alone, so each is a batch of its own; then normal traffic.
    expect(await rawChat(t, '{"model":"\\ud800","messages":[{"role":"user","content":"hi"}]}')).toBe(404);
    await t.gw.services.requestLogs.flush();
    expect(await rawChat(t, '{"model":"bad\\u0000name","messages":[{"role":"user","content":"hi"}]}')).toBe(404);
    await t.gw.services.requestLogs.flush();
    const long = 'm'.repeat(50_000);
    expect(await rawChat(t, JSON.stringify(hello(long)))).toBe(404);
    expect(await rawChat(t, '{"model":"gpt-x\\udfff","messages":[{"role":"user","content":"hi"}]}')).toBe(404);
    for (let i = 0; i < 5; i++) expect(await rawChat(t, JSON.stringify(hello('gpt-x', `after ${i}`)))).toBe(200);
    await t.gw.services.requestLogs.flush();

    const rows = await allLogs(t.gw, { keyId: t.keyId });
    expect(rows).toHaveLength(9);
    const models = rows.map((r) => r.requestedModel as string);
    expect(models).toContain('\uFFFD');
    expect(models).toContain('bad\uFFFDname');
    expect(models).toContain('gpt-x\uFFFD');
    const cut = models.find((m) => m.startsWith('mmmm'))!;
    expect(cut.length).toBeLessThan(STORED_TEXT_LIMITS.name + 40);
    expect(cut).toMatch(/…\[truncated \d+ chars\]$/);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(5);

    const { stats } = t.gw.services.requestLogs;
    expect(stats.failedFlushes).toBe(0);
    expect(stats.rejected).toBe(0);
    const m = parsePrometheusText(await (await fetch(`${t.gw.url}/metrics`)).text());
    expect(sampleValue(m, 'gateway_request_log_dropped_total', { reason: 'rejected' })).toBe(0);
  });
});

describe('storable text', () => {
  it('replaces lone surrogates and NUL, keeps pairs, cuts on a code point boundary', () => {
    expect(storableText('a\ud800b', 100)).toBe('a\uFFFDb');
    expect(storableText('\udc00', 100)).toBe('\uFFFD');
    expect(storableText('x\u0000y\u0000', 100)).toBe('x\uFFFDy\uFFFD');
    expect(storableText('emoji 😀 ok', 100)).toBe('emoji 😀 ok');
    expect(storableText(null, 10)).toBeNull();
    // '😀' is two UTF-16 units: a cut between them would leave a lone high surrogate.
    const cut = storableText('abc😀def', 4)!;
    expect(cut.startsWith('abc…')).toBe(true);
    expect(cut).toBe('abc…[truncated 5 chars]');
    expect((String.prototype as any).isWellFormed.call(cut)).toBe(true);
  });
});

/** Rows built without toLogRow's cleaning: what a store sees if anything upstream of it forgets. */
function rawRow(i: number, requestedModel: string): RequestLogRow {
  return { ...toLogRow({ at: new Date(), clientApi: 'chat-completions', attempts: 1, stream: false, status: 200, latencyMs: i, costUsd: 0 }), requestedModel };
}

describe.each([
  ['SQLite worker store', 'sqlite-worker'],
  ['Prisma store', 'prisma'],
] as const)('batch writer isolates refused rows (%s)', (_label, kind) => {
  let dir: string;
  let db: Db;
  let store: LogStore;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'obs-poison-'));
    const target = { kind: 'sqlite' as const, location: path.join(dir, 'p.db') };
    await applyPendingMigrations(target);
    db = await openDatabase(target);
    // A real refusal by the database: a trigger that aborts inserts of one model name.
    await db.$executeRawUnsafe(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON "RequestLog" WHEN NEW."requestedModel" = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    store = kind === 'prisma' ? prismaLogStore(db, 'sqlite') : new SqliteLogStore(target.location);
  });
  afterAll(async () => {
    await store?.close();
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops only the refused rows of a batch and writes the rest, in one flush', async () => {
    await db.requestLog.deleteMany();
    const writer = new RequestLogWriter(store, logger, { batchSize: 64, flushIntervalMs: 10_000, maxBuffered: 1_000 });
    const bad = new Set([3, 40, 41]);
    // The Prisma store also meets a lone surrogate that skipped the cleaning (its query encoder refuses it).
    const rows = Array.from({ length: 64 }, (_, i) => rawRow(i, bad.has(i) ? 'poison' : kind === 'prisma' && i === 10 ? 'x\ud800' : `model-${i}`));
    for (const r of rows) writer.add(r);
    await writer.flush();
    const refused = kind === 'prisma' ? 4 : 3;
    expect(writer.stats.rejected).toBe(refused);
    expect(writer.stats.rowsWritten).toBe(64 - refused);
    expect(writer.stats.failedFlushes).toBe(0);
    expect(writer.depth).toBe(0);
    const stored = await db.requestLog.findMany({ select: { latencyMs: true }, orderBy: { latencyMs: 'asc' } });
    const expected = rows.map((_, i) => i).filter((i) => !bad.has(i) && !(kind === 'prisma' && i === 10));
    expect(stored.map((s) => s.latencyMs)).toEqual(expected);

    // And the writer keeps going: the next batch is written whole.
    writer.add(rawRow(100, 'after'));
    await writer.flush();
    expect(await db.requestLog.count({ where: { requestedModel: 'after' } })).toBe(1);
    await writer.close();
  });

  it('a batch of one refused row is dropped, not retried forever', async () => {
    const writer = new RequestLogWriter(store, logger, { batchSize: 10, flushIntervalMs: 10_000, maxBuffered: 100 });
    writer.add(rawRow(1, 'poison'));
    await writer.flush();
    expect(writer.stats.rejected).toBe(1);
    expect(writer.depth).toBe(0);
    await writer.close();
  });
});
