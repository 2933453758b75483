import type { Logger } from 'pino';
import { DAY_MS } from './aggregates.js';
import type { HealthRepository } from './repository.js';

/** Deletes health runs older than HEALTH_RUN_RETENTION_DAYS: shortly after start, then hourly. */
export class RunPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;

  constructor(
    private readonly repo: HealthRepository,
    private readonly logger: Logger,
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

  prune(): Promise<number> {
    if (this.days <= 0) return Promise.resolve(0);
    this.running ??= this.repo
      .pruneBefore(new Date(this.now() - this.days * DAY_MS))
      .then((count) => {
        if (count > 0) this.logger.info({ deleted: count, retentionDays: this.days }, 'health: pruned old runs');
        return count;
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'health: pruning runs failed; will retry');
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
