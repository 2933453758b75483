import type { Logger } from 'pino';
import { closeRedis, createRedisConnection } from '../redis/connection.js';
import { MemoryCacheStore } from './memory-store.js';
import { RedisCacheStore } from './redis-store.js';
import { ResponseCache } from './response-cache.js';
import { SemanticCache } from './semantic.js';
import { RedisSemanticVectors } from './semantic-shared.js';
import type { CachePurge } from './types.js';

export { useResponseCache } from './plugin.js';
export { useAutoPromptCache } from './prompt-cache.js';
export type { CachePurge } from './types.js';
export { ResponseCache } from './response-cache.js';
export { SemanticCache } from './semantic.js';

export interface CacheLimits {
  /** Memory backend: total bytes held (LRU beyond). */
  maxBytes: number;
  /** Larger answers (and request bodies) are not cached. */
  maxEntryBytes: number;
  defaultTtlSeconds: number;
  /** Entries per semantic index (one per model and scope). */
  semanticMaxEntries: number;
  /** Pace of a hit replayed as a stream (ms between text deltas). */
  streamIntervalMs: number;
}

export interface Caches {
  responses: ResponseCache;
  semantic: SemanticCache;
  limits: CacheLimits;
  /** Removes a key's or a model's cached answers (exact and semantic); returns how many entries went. */
  purge(which: CachePurge): Promise<number>;
  close(): Promise<void>;
}

/**
 * The response caches of one instance: in memory (LRU, byte cap), or in
 * Redis shared by every instance when REDIS_URL is set.
 */
export function createCaches(options: CacheLimits & { redisUrl?: string; redisKeyPrefix: string; logger: Logger }): Caches {
  const logger = options.logger.child({ component: 'response-cache' });
  let backend;
  let sharedVectors: RedisSemanticVectors | undefined;
  if (options.redisUrl) {
    const client = createRedisConnection({ url: options.redisUrl, name: 'response-cache', role: 'commands', logger });
    backend = new RedisCacheStore(client, options.redisKeyPrefix, () => closeRedis(client));
    sharedVectors = new RedisSemanticVectors(client, options.redisKeyPrefix, options.semanticMaxEntries);
  } else {
    backend = new MemoryCacheStore(options.maxBytes);
  }
  const responses = new ResponseCache(backend, logger, { defaultTtlSeconds: options.defaultTtlSeconds, maxEntryBytes: options.maxEntryBytes });
  const semantic = new SemanticCache(responses, logger, options.semanticMaxEntries, sharedVectors);
  return {
    responses,
    semantic,
    limits: options,
    async purge(which) {
      await semantic.purge(which);
      return responses.purge(which);
    },
    close: () => responses.close(),
  };
}
