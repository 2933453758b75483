import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { closeRedis, createRedisConnection } from '../redis/connection.js';
import { MemoryResponseStore } from './memory-store.js';
import { RedisResponseStore } from './redis-store.js';
import { ResponseStore } from './store.js';
import type { ResponseStoreBackend, ResponseStoreLimits } from './types.js';

export { ResponseStore } from './store.js';
export type { StoredResponse, ResponseStoreLimits } from './types.js';
export { useResponseStore } from './plugin.js';

export interface ResponseStoreOptions extends ResponseStoreLimits {
  redisUrl?: string;
  redisKeyPrefix: string;
  logger: Logger;
  now?: () => number;
}

/**
 * Stored responses for `previous_response_id`: this instance's memory, or
 * Redis (shared by every instance) when REDIS_URL is set.
 */
export function createResponseStore(options: ResponseStoreOptions): ResponseStore {
  const logger = options.logger.child({ component: 'response-store' });
  const memory = new MemoryResponseStore(options, options.now);
  if (!options.redisUrl) return new ResponseStore(memory, logger);
  const client: Redis = createRedisConnection({ url: options.redisUrl, name: 'response-store', role: 'commands', logger });
  const redis = new RedisResponseStore(client, options.redisKeyPrefix, options, options.now);
  const shared: ResponseStoreBackend = { get: (id) => redis.get(id), put: (e, j) => redis.put(e, j), close: () => closeRedis(client) };
  return new ResponseStore(shared, logger, memory);
}
