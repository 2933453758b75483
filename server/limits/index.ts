import { Redis } from 'ioredis';
import type { Services } from '../services.js';
import { FailoverCounterStore } from './failover-store.js';
import { KeyLimits } from './limiter.js';
import { MemoryCounterStore } from './memory-store.js';
import { RedisCounterStore } from './redis-store.js';
import { SpendPersister, type SpendSink } from './spend-persister.js';
import type { CounterStore } from './store.js';

export { KeyLimits } from './limiter.js';

export interface KeyLimiterOptions {
  /** Clock in epoch ms (tests move it instead of sleeping). */
  now?: () => number;
  /** Overrides config.redisUrl; null forces the memory backend. */
  redisUrl?: string | null;
  /** Prefix of the Redis keys (default `llmgw:limits:`). */
  redisPrefix?: string;
  /** How often spend is written to the database (default 5 s). */
  flushIntervalMs?: number;
  /** Redis concurrency lease lifetime without renewal (default 60 s). */
  leaseTtlMs?: number;
  /** Writes spend off the event loop (SQLite's background writer); default: through Prisma. */
  spendSink?: SpendSink;
}

/** How long the first request waits for Redis at start before using memory counters. */
const REDIS_START_WAIT_MS = 2_000;

/**
 * Builds the key limiter for this instance: memory counters, or Redis (with a
 * per-instance memory fallback) when REDIS_URL is set. Spend is loaded from the
 * database at start and saved back in batches; limits themselves never query it.
 */
export function createKeyLimiter(
  services: Pick<Services, 'config' | 'logger'> & Partial<Pick<Services, 'db'>>,
  options: KeyLimiterOptions = {},
): KeyLimits {
  const now = options.now ?? Date.now;
  const logger = services.logger.child({ component: 'limits' });
  const redisUrl = options.redisUrl === undefined ? services.config.redisUrl : options.redisUrl;
  const persister = services.db ? new SpendPersister(services.db, logger, options.flushIntervalMs, options.spendSink) : undefined;
  const memory = new MemoryCounterStore();

  let store: CounterStore = memory;
  let client: Redis | undefined;
  if (redisUrl) {
    client = new Redis(redisUrl, {
      // Fail fast instead of queueing: a request must not wait for a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(200 * times, 2_000),
    });
    store = new FailoverCounterStore(new RedisCounterStore(client, { prefix: options.redisPrefix ?? 'llmgw:limits:', leaseTtlMs: options.leaseTtlMs, now }), memory, logger);
  }

  const ready = (async () => {
    if (client && client.status !== 'ready') {
      const c = client;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, REDIS_START_WAIT_MS);
        function done() {
          clearTimeout(timer);
          c.off('ready', done);
          resolve();
        }
        c.once('ready', done);
      });
    }
    if (!persister) return;
    try {
      await store.seedSpend(await persister.load(now()));
    } catch (error) {
      logger.warn({ err: error }, 'could not load key spend; budgets start from zero on this instance');
    }
  })();

  return new KeyLimits({
    store,
    logger,
    now,
    defaultBackend: client ? 'redis' : 'memory',
    persister,
    ready,
    onClose: async () => {
      if (!client) return;
      await client.quit().catch(() => client.disconnect());
    },
  });
}
