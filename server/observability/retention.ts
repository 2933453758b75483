import type { Logger } from 'pino';
import type { Db } from '../db/client.js';

const DAY_MS = 86_400_000;

/**
 * Deletes request logs older than `days` days: shortly after start, then every
 * `everyMs`. Timers are unref'd. `days <= 0` keeps logs forever.
 */
export class RetentionPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Pick<Db, 'requestLog'>,
    private readonly logger: Logger,
    readonly days: number,
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
  prune(now = Date.now()): Promise<number> {
    if (this.days <= 0) return Promise.resolve(0);
    if (this.running) return this.running;
    this.running = this.db.requestLog
      .deleteMany({ where: { createdAt: { lt: new Date(now - this.days * DAY_MS) } } })
      .then(({ count }) => {
        if (count > 0) this.logger.info({ deleted: count, retentionDays: this.days }, 'request log: pruned old rows');
        return count;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'request log: pruning failed; will retry');
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
