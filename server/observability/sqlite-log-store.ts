import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SpendEntry, SpendSink } from '../limits/spend-persister.js';
import type { SqlReader } from './usage-sql.js';
import { LOG_COLUMNS } from './log-insert.js';
import type { RequestLogRow } from '../core/request-log-row.js';
import { probeRow, type LogStore } from './log-store.js';
import { rollupDeltas, rollupPruneParams, rollupPruneSql, rollupUpsertSql } from '../db/usage-rollup.js';

interface Pending {
  worker: Worker;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The same worker file from the sources (server/observability) and from the build (dist/server, copied there). */
const WORKER_FILE = new URL('./sqlite-log-worker.cjs', import.meta.url);

/** How long a worker may sit without work before it is stopped (its thread, heap and connection: about 10 MB). */
export const WORKER_IDLE_STOP_MS = 15_000;

/**
 * Request log (and key spend) writes on SQLite, in a worker thread with its own
 * connection: better-sqlite3 is synchronous, so a batch insert on the main
 * thread would stall every request for its duration. The event loop only hands
 * the rows over (a structured clone). A worker that dies is restarted on the
 * next write; its in-flight write fails and is retried by the caller. A worker
 * without work for `idleStopMs` is closed and the next call starts another, so
 * a quiet gateway does not keep a thread for nothing.
 */
export class SqliteLogStore implements LogStore, SpendSink, SqlReader {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private lastCallAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly idleStopMs: number;

  constructor(
    private readonly file: string,
    private readonly options: { busyTimeoutMs?: number; readonly?: boolean; idleStopMs?: number } = {},
  ) {
    this.idleStopMs = options.idleStopMs ?? WORKER_IDLE_STOP_MS;
  }

  /** Whether a worker thread is running now (started by the first call, stopped when idle or closed). */
  get workerRunning(): boolean {
    return this.worker !== undefined;
  }

  /** One read-only statement (usage aggregates), run in the worker. */
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
    return this.call({ op: 'query', sql, params }) as Promise<Array<Record<string, unknown>>>;
  }

  insert(rows: RequestLogRow[]): Promise<void> {
    return rows.length ? this.call({ op: 'insert', rows, rollup: rollupDeltas(rows) }).then(() => undefined) : Promise.resolve();
  }

  async acceptsRows(): Promise<boolean> {
    try {
      await this.call({ op: 'probe', row: probeRow() });
      return true;
    } catch {
      return false;
    }
  }

  deleteBefore(cutoff: Date, limit: number): Promise<number> {
    return this.call({ op: 'prune', cutoff, limit, rollupParams: rollupPruneParams(cutoff, limit) }) as Promise<number>;
  }

  /** Adds spend to VirtualKey.spendUsd and KeySpend in one transaction (keys deleted meanwhile are skipped). */
  addSpend(entries: SpendEntry[]): Promise<void> {
    return entries.length ? this.call({ op: 'spend', entries }).then(() => undefined) : Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // Referenced until it has exited: otherwise an otherwise idle process would end in the middle of close().
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    await this.send(worker, { op: 'close' }).catch(() => undefined);
    worker.ref();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('request log store is closed'));
    this.lastCallAt = Date.now();
    return this.send(this.worker ?? this.start(), message);
  }

  /** One timer per worker, moved on by calls made meanwhile rather than re-armed by each. */
  private watchIdle(worker: Worker, delayMs: number): void {
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker) return;
      const idleFor = Date.now() - this.lastCallAt;
      // A call still running (a long read) is work: look again a whole period later.
      if (this.pending.size > 0) return this.watchIdle(worker, this.idleStopMs);
      if (idleFor < this.idleStopMs) return this.watchIdle(worker, this.idleStopMs - idleFor);
      // The next call starts another worker at once; this one closes its connection and exits.
      this.worker = undefined;
      void this.send(worker, { op: 'close' }).catch(() => undefined);
    }, delayMs);
    this.idleTimer.unref();
  }

  private send(worker: Worker, message: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      // Referenced only while a write is outstanding: a pending write keeps the process alive, an idle worker never does.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { worker, resolve, reject });
      worker.postMessage({ id, ...message });
    });
  }

  private settled(id: number, worker: Worker): void {
    this.pending.delete(id);
    if (this.pending.size === 0) worker.unref();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        file: this.file,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        columns: LOG_COLUMNS,
        rollupPruneSql: rollupPruneSql('sqlite'),
        rollupUpsertSql: rollupUpsertSql(),
        busyTimeoutMs: this.options.busyTimeoutMs ?? 5_000,
        readonly: this.options.readonly === true,
      },
      // The worker needs none of the gateway's flags or loaders.
      execArgv: [],
    });
    worker.unref();
    worker.on('message', (reply: { id: number; ok: boolean; value?: unknown; error?: { message: string; code?: string } }) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.settled(reply.id, worker);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(Object.assign(new Error(reply.error?.message ?? 'SQLite write failed'), { code: reply.error?.code }));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, waiting] of this.pending) {
        if (waiting.worker !== worker) continue;
        this.settled(id, worker);
        waiting.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`request log worker exited (code ${code})`)));
    this.worker = worker;
    clearTimeout(this.idleTimer);
    this.watchIdle(worker, this.idleStopMs);
    return worker;
  }
}
