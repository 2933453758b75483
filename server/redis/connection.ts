import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

// Loaded on the first connection, not at start: a gateway without REDIS_URL never needs the client (≈ 20 MB resident).
const load = createRequire(import.meta.url);
let RedisClient: typeof Redis | undefined;

export type RedisRole = 'commands' | 'subscriber';

export interface RedisConnectionOptions {
  url: string;
  /** Shown in logs and metrics, e.g. `events`, `config`, `scheduler-lock`. */
  name: string;
  role: RedisRole;
  logger: Logger;
  /** Called with true when the connection becomes ready, false when it is lost. */
  onAvailability?: (up: boolean) => void;
  /** Log the outage and the return (default true); false when the feature logs what the outage means for it. */
  logOutages?: boolean;
}

/**
 * The one way the gateway opens Redis (limits, login throttling, response store,
 * scale-out): commands fail fast instead of queueing (a request never waits for
 * a reconnect) and reconnects back off up to 2 s forever. Subscriber
 * connections keep their queue so subscriptions are restored on reconnect.
 * A lost connection is logged once per outage, its return once.
 */
export function createRedisConnection(options: RedisConnectionOptions): Redis {
  const commands = options.role === 'commands';
  RedisClient ??= (load('ioredis') as { Redis: typeof Redis }).Redis;
  const client = new RedisClient(options.url, {
    enableOfflineQueue: !commands,
    maxRetriesPerRequest: commands ? 1 : null,
    commandTimeout: commands ? 1_000 : undefined,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    connectionName: `llm-gateway:${options.name}`,
  });
  let down = false;
  const lost = (reason: string) => {
    if (down) return;
    down = true;
    if (options.logOutages !== false)
      options.logger.warn({ redis: options.name, reason }, 'Redis unavailable: continuing on this instance alone until it returns');
    options.onAvailability?.(false);
  };
  client.on('error', (error: Error) => lost(error.message));
  client.on('close', () => lost('connection closed'));
  client.on('ready', () => {
    if (down && options.logOutages !== false) options.logger.info({ redis: options.name }, 'Redis is back');
    down = false;
    options.onAvailability?.(true);
  });
  return client;
}

/** Resolves when the client is ready, or after `timeoutMs` (start-up must not hang on Redis). */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return void client.disconnect();
  await client.quit().catch(() => client.disconnect());
}
