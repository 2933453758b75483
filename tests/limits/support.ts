import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../server/config/env.js';
import type { KeyEntry } from '../../server/snapshot/types.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why the Redis suites must skip, or undefined when Redis answers. */
export async function redisUnavailable(): Promise<string | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: string | undefined;
  client.on('error', (error: Error) => (cause ??= error.message));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return cause ?? (error instanceof Error ? error.message : String(error));
  } finally {
    client.disconnect();
  }
}

/** A Redis key prefix no other run shares. */
export function uniquePrefix(): string {
  return `llmgw-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under a prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

let keyCounter = 0;
export function keyEntry(overrides: Partial<KeyEntry> = {}): KeyEntry {
  const n = ++keyCounter;
  return {
    id: `key-${process.pid}-${Date.now()}-${n}`,
    name: `key ${n}`,
    prefix: 'sk-test',
    allowedModels: null,
    enabled: true,
    revoked: false,
    logBodies: false,
    purpose: 'app',
    ...overrides,
  };
}

/** A manual clock, starting 30 s into a UTC minute. */
export function manualClock(start = Math.floor(Date.UTC(2030, 4, 15, 10, 20) / 60_000) * 60_000 + 30_000) {
  let t = start;
  return {
    now: () => t,
    set: (ms: number) => void (t = ms),
    advance: (ms: number) => void (t += ms),
  };
}

export interface LogLine {
  level: 'warn' | 'info' | 'error' | 'debug';
  msg: string;
}

/** A pino-shaped logger that keeps what it is told. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (a: unknown, b?: unknown): void => {
      lines.push({ level, msg: typeof a === 'string' ? a : typeof b === 'string' ? b : '' });
    };
  const logger = { warn: at('warn'), info: at('info'), error: at('error'), debug: at('debug'), trace: () => {}, fatal: at('error') } as unknown as Logger;
  (logger as unknown as { child: () => Logger }).child = () => logger;
  return { logger, lines };
}

export function limiterServices(logger: Logger, redisUrl?: string) {
  return { config: { redisUrl } as Config, logger };
}
