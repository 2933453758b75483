import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import type { Db } from '../db/client.js';
import { closeRedis, createRedisConnection, waitUntilReady } from '../redis/connection.js';
import { FailoverCounterStore } from './failover-store.js';
import { KeyLimits } from './limiter.js';
import { MemoryCounterStore } from './memory-store.js';
import { RedisCounterStore } from './redis-store.js';
import { SpendPersister, type SpendSink } from './spend-persister.js';
import type { CounterStore } from './store.js';

export { KeyLimits } from './limiter.js';

/** What the limiter needs from its instance (the composition root passes it). */
export interface KeyLimiterDeps {
  config: Pick<Config, 'redisUrl'>;
  logger: Logger;
  /** Where spend is loaded from and saved to; without it, budgets count from zero in memory. */
  db?: Db;
}

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
export function createKeyLimiter(deps: KeyLimiterDeps, options: KeyLimiterOptions = {}): KeyLimits {
  const now = options.now ?? Date.now;
  const logger = deps.logger.child({ component: 'limits' });
  const redisUrl = options.redisUrl === undefined ? deps.config.redisUrl : options.redisUrl;
  const persister = deps.db ? new SpendPersister(deps.db, logger, options.flushIntervalMs, options.spendSink) : undefined;
  const memory = new MemoryCounterStore();

  let store: CounterStore = memory;
  let client: Redis | undefined;
  if (redisUrl) {
    // Commands fail fast instead of queueing: a request must not wait for a reconnect. The failover store logs outages.
    client = createRedisConnection({ url: redisUrl, name: 'limits', role: 'commands', logger, logOutages: false });
    store = new FailoverCounterStore(
      new RedisCounterStore(client, { prefix: options.redisPrefix ?? 'llmgw:limits:', leaseTtlMs: options.leaseTtlMs, now }),
      memory,
      logger,
    );
  }

  const ready = (async () => {
    if (client) await waitUntilReady(client, REDIS_START_WAIT_MS);
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
      if (client) await closeRedis(client);
    },
  });
}
