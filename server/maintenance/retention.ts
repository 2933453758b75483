import type { Logger } from 'pino';

const DAY_MS = 86_400_000;

/**
 * Deletes rows older than `days` days (request logs, health runs): shortly
 * after start, then every `everyMs`. Timers are unref'd; `days <= 0` keeps
 * rows forever; a failed delete is logged and retried on the next tick.
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;

  constructor(
    /** Deletes rows older than the cutoff; returns how many. */
    private readonly deleteBefore: (cutoff: Date) => Promise<number>,
    private readonly logger: Logger,
    /** What is pruned, for the log lines ("request log rows", "health runs"). */
    private readonly what: string,
    readonly days: number,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 3_600_000,
  ) {}

  start(firstDelayMs = 30_000): void {
    if (this.days <= 0 || this.timer) return;
    const tick = () => {
      void this.prune();
      this.timer = setTimeout(tick, this.everyMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, firstDelayMs);
    this.timer.unref();
  }

  /** Deletes what is past retention now; returns the number of rows removed. */
  prune(): Promise<number> {
    if (this.days <= 0) return Promise.resolve(0);
    this.running ??= this.deleteBefore(new Date(this.now() - this.days * DAY_MS))
      .then((count) => {
        if (count > 0) this.logger.info({ deleted: count, retentionDays: this.days }, `pruned old ${this.what}`);
        return count;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, `pruning ${this.what} failed; will retry`);
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** Rows per delete batch, and the pause between batches (other writers and readers get their turn). */
export const PRUNE_BATCH = { rows: 2_000, pauseMs: 20 };

/**
 * Runs a bounded delete (`step(limit)` removes at most `limit` rows) until a
 * batch comes back short: a large backlog becomes many short transactions
 * instead of one long lock. Returns the total removed. (The request log
 * stores' step also deletes a bounded batch of the usage rollup's rows whose
 * hour or day is wholly past the cutoff: the rollup keeps what the log keeps.)
 */
export async function deleteInBatches(step: (limit: number) => Promise<number>, batch = PRUNE_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await step(batch.rows);
    total += removed;
    if (removed < batch.rows) return total;
    await new Promise((resolve) => setTimeout(resolve, batch.pauseMs));
  }
}
