import type { Logger } from 'pino';
import type { RequestLogRow } from '../core/request-log-row.js';
import type { LogStore } from './log-store.js';

export interface LogWriterOptions {
  /** Rows per database write; a full batch triggers a write at once. */
  batchSize: number;
  /** Longest a row waits in memory before a write (ms). */
  flushIntervalMs: number;
  /** Most rows held in memory (queued + being written); past it the oldest queued rows are dropped. */
  maxBuffered: number;
  /** First retry delay after a failed write (ms); doubles per failure up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** Another taker of every row (e.g. the log export's own writer, server/telemetry/log-export.ts). */
export interface RowSink {
  add(row: RequestLogRow): void;
}

export interface LogWriterStats {
  /** Successful database writes (one INSERT each). */
  flushes: number;
  rowsWritten: number;
  failedFlushes: number;
  /** Rows dropped because the buffer was full. */
  dropped: number;
  /** Rows the database refused while it took the others (isolated by splitting their batch), dropped. */
  rejected: number;
}

/**
 * Writes request log rows in batches, off the request path.
 *
 * `add()` is O(1): it pushes to an in-memory queue and at most schedules a
 * write with setImmediate; nothing on the request path awaits the database.
 * Writes happen when a batch is full or on the flush interval, one at a time.
 * A failed write puts its rows back at the front and retries with exponential
 * backoff. The queue is bounded: past `maxBuffered` the oldest queued rows are
 * dropped, counted and reported in a (rate-limited) warning.
 *
 * One bad row never stops logging: when a batch fails while the database still
 * takes a known-good row (`LogStore.acceptsRows`), the batch is split in halves
 * until the rows it refuses are alone; those are dropped and counted
 * (`rejected`), the rest are written. Only a failing database keeps rows for a retry.
 */
export class RequestLogWriter {
  readonly stats: LogWriterStats = { flushes: 0, rowsWritten: 0, failedFlushes: 0, dropped: 0, rejected: 0 };
  readonly options: Required<LogWriterOptions>;

  private queue: RequestLogRow[] = [];
  private head = 0;
  private inflight = 0;
  private writing: Promise<void> | null = null;
  private kickScheduled = false;
  private retryAt = 0;
  private retryDelay = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private droppedSinceWarning = 0;
  private lastDropWarning = 0;
  private failingSince = 0;
  private rejectedSinceWarning = 0;
  private lastRejectWarning = 0;
  private readonly mirrors: RowSink[] = [];

  constructor(
    /** Where rows go; also used by the retention pruner (bounded deletes in the same place). */
    readonly store: LogStore,
    private readonly logger: Logger,
    options: LogWriterOptions,
  ) {
    const maxBuffered = Math.max(1, options.maxBuffered);
    this.options = {
      batchSize: Math.max(1, Math.min(options.batchSize, maxBuffered)),
      flushIntervalMs: Math.max(1, options.flushIntervalMs),
      maxBuffered,
      retryBaseMs: options.retryBaseMs ?? 250,
      retryMaxMs: options.retryMaxMs ?? 30_000,
    };
  }

  /** Rows held in memory, including a batch being written. */
  get depth(): number {
    return this.queue.length - this.head + this.inflight;
  }

  /** Starts the flush interval (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.interval) return;
    this.interval = setInterval(() => {
      if (this.queued() > 0) void this.drain(false);
    }, this.options.flushIntervalMs);
    this.interval.unref();
  }

  /** Every row added from now on also goes to `sink`, which batches and retries on its own: a slow sink never holds up the database's rows. */
  mirrorTo(sink: RowSink): void {
    this.mirrors.push(sink);
  }

  /** Queues one row. Never throws, never waits. */
  add(row: RequestLogRow): void {
    for (const sink of this.mirrors) sink.add(row);
    this.queue.push(row);
    if (this.depth > this.options.maxBuffered) this.dropOldest(this.depth - this.options.maxBuffered);
    if (this.queued() >= this.options.batchSize && !this.writing && !this.kickScheduled && Date.now() >= this.retryAt) {
      this.kickScheduled = true;
      setImmediate(() => {
        this.kickScheduled = false;
        void this.drain(false, true);
      });
    }
  }

  /**
   * Writes everything queued now (ignoring a pending backoff) and resolves when
   * done or when a write fails (the rows then stay queued for the retry).
   */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    await this.drain(true);
  }

  /** Stops the timers and writes what is buffered, retrying briefly if the database is failing (the store stays open: its owner closes it). */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.interval = undefined;
    const deadline = Date.now() + deadlineMs;
    let pause = 100;
    for (;;) {
      await this.flush();
      if (this.depth === 0) return;
      if (Date.now() + pause > deadline) {
        this.logger.error({ lost: this.depth }, 'request log: database unavailable at shutdown; buffered log rows were not written');
        return;
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 2_000);
    }
  }

  private queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Writes queued rows batch after batch. `fullOnly` (a kick from add()) stops
   * at a partial batch: writes are asynchronous, so rows keep arriving while
   * one is written, and the rest waits for the next full batch or the interval.
   */
  private drain(force: boolean, fullOnly = false): Promise<void> {
    if (this.writing) return this.writing;
    const run = async () => {
      while (this.queued() >= (fullOnly ? this.options.batchSize : 1) && (force || Date.now() >= this.retryAt)) {
        const batch = this.take(this.options.batchSize);
        this.inflight = batch.length;
        const failure = await this.write(batch);
        this.inflight = 0;
        if (failure) {
          this.requeue(failure.unwritten);
          this.onFailure(failure.error);
          return;
        }
        this.stats.flushes++;
        if (this.failingSince) {
          this.logger.info({ downMs: Date.now() - this.failingSince, buffered: this.depth }, 'request log: database writes recovered');
          this.failingSince = 0;
        }
        this.retryDelay = 0;
        this.retryAt = 0;
      }
    };
    this.writing = run().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  /**
   * Writes a batch; when it fails but the database takes rows, splits it to
   * isolate the refused rows. Returns what is left for a retry when the
   * database itself is failing, else nothing.
   */
  private async write(batch: RequestLogRow[]): Promise<{ unwritten: RequestLogRow[]; error: unknown } | undefined> {
    let refusal: unknown;
    try {
      await this.store.insert(batch);
      this.stats.rowsWritten += batch.length;
      return undefined;
    } catch (error) {
      if (!(await this.store.acceptsRows())) return { unwritten: batch, error };
      refusal = error;
    }
    // The database takes rows, so some rows of this batch are refused: split it
    // into halves, depth-first and in order (`pending` is a stack; its top is next).
    const pending: RequestLogRow[][] = [];
    const split = (rows: RequestLogRow[]) => {
      const mid = rows.length >> 1;
      pending.push(rows.slice(mid), rows.slice(0, mid));
    };
    if (batch.length === 1) this.reject(batch[0], refusal);
    else split(batch);
    while (pending.length) {
      const rows = pending.pop()!;
      try {
        await this.store.insert(rows);
        this.stats.rowsWritten += rows.length;
      } catch (error) {
        if (rows.length > 1) split(rows);
        // Checked again before dropping: the database may have failed meanwhile.
        else if (await this.store.acceptsRows()) this.reject(rows[0], error);
        else return { unwritten: rows.concat(...pending.reverse()), error };
      }
    }
    return undefined;
  }

  private reject(row: RequestLogRow, error: unknown): void {
    this.stats.rejected++;
    this.rejectedSinceWarning++;
    const now = Date.now();
    if (now - this.lastRejectWarning >= 10_000) {
      const reason = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
      this.logger.warn(
        { rowId: row.id, status: row.status, rejected: this.rejectedSinceWarning, rejectedTotal: this.stats.rejected, reason },
        'request log: the database refused a row; it was dropped, the rest of its batch written',
      );
      this.lastRejectWarning = now;
      this.rejectedSinceWarning = 0;
    }
  }

  private take(n: number): RequestLogRow[] {
    const batch = this.queue.slice(this.head, this.head + n);
    this.head += batch.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return batch;
  }

  private requeue(batch: RequestLogRow[]): void {
    this.queue = batch.concat(this.head === 0 ? this.queue : this.queue.slice(this.head));
    this.head = 0;
    if (this.depth > this.options.maxBuffered) this.dropOldest(this.depth - this.options.maxBuffered);
  }

  private dropOldest(count: number): void {
    const n = Math.min(count, this.queued());
    if (n <= 0) return;
    for (let i = 0; i < n; i++) (this.queue as Array<RequestLogRow | undefined>)[this.head + i] = undefined;
    this.head += n;
    // Compact now and then so the array does not grow without end.
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.stats.dropped += n;
    this.droppedSinceWarning += n;
    const now = Date.now();
    if (now - this.lastDropWarning >= 10_000) {
      this.logger.warn(
        { dropped: this.droppedSinceWarning, droppedTotal: this.stats.dropped, maxBuffered: this.options.maxBuffered },
        'request log: buffer full, oldest log rows dropped',
      );
      this.lastDropWarning = now;
      this.droppedSinceWarning = 0;
    }
  }

  private onFailure(error: unknown): void {
    this.stats.failedFlushes++;
    this.retryDelay = this.retryDelay === 0 ? this.options.retryBaseMs : Math.min(this.retryDelay * 2, this.options.retryMaxMs);
    this.retryAt = Date.now() + this.retryDelay;
    if (!this.failingSince) {
      this.failingSince = Date.now();
      this.logger.warn({ err: error, buffered: this.depth }, 'request log: database write failed; keeping rows and retrying');
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.interval) {
      // Only while running; after close() the shutdown loop does its own retries.
      this.retryTimer = setTimeout(() => void this.drain(false), this.retryDelay);
      this.retryTimer.unref();
    }
  }
}
