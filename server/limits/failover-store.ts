import type { Logger } from 'pino';
import type { MemoryCounterStore } from './memory-store.js';
import type { RedisCounterStore } from './redis-store.js';
import type { AdmitPlan, AdmitResult, CounterStore, KeyCounters, ReleasePlan, SpendSeed } from './store.js';

/**
 * Redis first, this instance's memory when Redis cannot answer.
 *
 * Trade-off: while Redis is away every instance enforces the limits on its own
 * counters, so N instances let through up to N× a key's RPM / TPM / concurrency,
 * and budgets are checked against the spend this instance knows (the database
 * value at start plus its own requests since). Requests keep flowing instead of
 * failing on a counter outage. A warning is logged once per outage; when Redis
 * is back, the spend this instance knows is raised into Redis (never lowered)
 * and Redis is authoritative again. Requests admitted in memory are released in
 * memory; a release Redis misses frees its concurrency slot when the lease expires.
 *
 * The memory store mirrors every cost even while Redis is up, so it is ready
 * to take over with sensible budgets.
 */
export class FailoverCounterStore implements CounterStore {
  private outage = false;
  private recovering = false;

  constructor(
    private readonly redis: RedisCounterStore,
    private readonly memory: MemoryCounterStore,
    private readonly logger: Logger,
  ) {
    redis.client.on('ready', () => {
      if (this.outage) void this.recover();
    });
    redis.client.on('error', (error: Error) => this.down(error));
  }

  get usingRedis(): boolean {
    return this.redis.ready && !this.outage;
  }

  async admit(plan: AdmitPlan): Promise<AdmitResult> {
    if (this.redis.ready) {
      try {
        const result = await this.redis.admit(plan);
        if (this.outage) void this.recover();
        return result;
      } catch (error) {
        this.down(error);
      }
    } else this.down(new Error(`connection ${this.redis.client.status}`));
    return this.memory.admit(plan);
  }

  async release(plan: ReleasePlan): Promise<void> {
    if (plan.backend === 'memory') return this.memory.release(plan);
    if (plan.costUsd > 0) for (const subject of plan.subjects) if (subject.spend) this.memory.addSpend(subject.id, plan.costUsd, plan.now);
    if (!this.redis.ready) return this.down(new Error(`connection ${this.redis.client.status}`));
    try {
      await this.redis.release(plan);
    } catch (error) {
      this.down(error);
    }
  }

  async read(keyId: string, now: number, periods: string[]): Promise<KeyCounters> {
    if (this.redis.ready) {
      try {
        return await this.redis.read(keyId, now, periods);
      } catch (error) {
        this.down(error);
      }
    }
    return this.memory.read(keyId, now, periods);
  }

  async seedSpend(seeds: SpendSeed[]): Promise<void> {
    await this.memory.seedSpend(seeds);
    if (!this.redis.ready) return;
    try {
      await this.redis.seedSpend(seeds);
    } catch (error) {
      this.down(error);
    }
  }

  async close(): Promise<void> {
    await this.redis.close();
  }

  private down(error: unknown): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'Redis unavailable for key limits: enforcing them per instance in memory until it returns',
    );
  }

  private async recover(): Promise<void> {
    if (this.recovering || !this.redis.ready) return;
    this.recovering = true;
    try {
      await this.redis.seedSpend(this.memory.spendSeeds());
      this.outage = false;
      this.logger.info('Redis is back: key limits are shared across instances again');
    } catch {
      // still flaky; the next successful call or reconnect tries again
    } finally {
      this.recovering = false;
    }
  }
}
