/**
 * The SQLite writer thread of a quiet gateway goes away and comes back: after
 * `idleStopMs` without a call the worker closes its connection and exits (its
 * thread and heap, about 10 MB); the next write starts another, and nothing
 * written before, during or after the stop is lost.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { toLogRow } from '../../server/observability/log-row.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { waitFor } from '../support/wait.js';

const row = (i: number) => toLogRow({ at: new Date(), clientApi: 'chat-completions', attempts: 1, stream: false, status: 200, latencyMs: i, costUsd: 0 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const threads = () => readdirSync('/proc/self/task').length;

describe('SQLite writer thread stopped when idle', () => {
  let dir: string;
  let db: Db;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'obs-idle-'));
    file = path.join(dir, 'idle.db');
    await applyPendingMigrations({ kind: 'sqlite', location: file });
    db = await openDatabase({ kind: 'sqlite', location: file });
  });
  afterAll(async () => {
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits after the idle time, starts again on the next write, and keeps every row', async () => {
    const store = new SqliteLogStore(file, { idleStopMs: 300 });
    const before = threads();
    expect(store.workerRunning).toBe(false);
    await store.insert([row(1), row(2)]);
    expect(store.workerRunning).toBe(true);
    expect(threads()).toBeGreaterThan(before);

    // Calls within the idle time keep it: 5 writes 150 ms apart span 750 ms, more than twice the limit.
    for (let i = 0; i < 5; i++) {
      await sleep(150);
      await store.insert([row(10 + i)]);
      expect(store.workerRunning).toBe(true);
    }

    await waitFor(() => !store.workerRunning, { timeoutMs: 2_000, intervalMs: 10, what: 'the idle worker to stop' });
    // The thread itself is gone, not only the handle.
    await waitFor(() => threads() === before, { timeoutMs: 2_000, intervalMs: 10, what: 'the worker thread to exit' });

    // Writes right as it stops and after: a burst of concurrent inserts all land.
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.insert([row(100 + i)])));
    expect(store.workerRunning).toBe(true);
    const rows = await store.query('SELECT COUNT(*) AS n FROM "RequestLog"', []);
    expect(Number(rows[0].n)).toBe(2 + 5 + 20);
    expect(await db.requestLog.count()).toBe(27);

    await store.close();
    expect(store.workerRunning).toBe(false);
    await waitFor(() => threads() === before, { timeoutMs: 2_000, intervalMs: 10, what: 'the closed worker thread to exit' });
  });

  it('a write sent as the idle worker closes is answered by the next one', async () => {
    const store = new SqliteLogStore(file, { idleStopMs: 100 });
    await store.insert([row(1_000)]);
    const landed: number[] = [];
    let restarts = 0;
    // Writes every 90–130 ms: some fall just before, some just after a stop.
    for (let i = 0; i < 12; i++) {
      await sleep(90 + (i % 5) * 10);
      if (!store.workerRunning) restarts++;
      await store.insert([row(2_000 + i)]);
      landed.push(2_000 + i);
    }
    const rows = await store.query('SELECT "latencyMs" AS ms FROM "RequestLog" WHERE "latencyMs" >= 2000 ORDER BY "latencyMs"', []);
    expect(rows.map((r) => Number(r.ms))).toEqual(landed);
    expect(restarts).toBeGreaterThan(0);
    await store.close();
  });
});
