import { Redis } from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { createKeyLimiter } from '../../server/limits/index.js';
import { FailoverCounterStore } from '../../server/limits/failover-store.js';
import { KeyLimits } from '../../server/limits/limiter.js';
import { MemoryCounterStore } from '../../server/limits/memory-store.js';
import { RedisCounterStore } from '../../server/limits/redis-store.js';
import { GatewayError } from '../../server/core/error.js';
import { deletePrefix, keyEntry, limiterServices, manualClock, recordingLogger, REDIS_URL, uniquePrefix } from './support.js';
import { skipUnlessServices } from '../support/services.js';
import { waitFor } from '../support/wait.js';

const redisDown = await skipUnlessServices('Redis limit tests', { redis: true });

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('Redis unreachable', () => {
  test('limits fall back to this instance’s memory, with one warning for the outage', async () => {
    const { logger, lines } = recordingLogger();
    const limiter = createKeyLimiter(limiterServices(logger, 'redis://127.0.0.1:1'), { now: manualClock().now });
    try {
      const key = keyEntry({ rpmLimit: 2 });
      await limiter.admit(key, 1);
      await limiter.admit(key, 1);
      await expect(limiter.admit(key, 1)).rejects.toMatchObject({ status: 429, kind: 'rate_limit' });
      await expect(limiter.admit(key, 1)).rejects.toBeInstanceOf(GatewayError);
      expect(lines.filter((l) => l.level === 'warn' && /Redis unavailable/.test(l.msg))).toHaveLength(1);
    } finally {
      await limiter.close();
    }
  });
});

(redisDown ? describe.skip : describe)('Redis backend', () => {
  const prefix = uniquePrefix();
  afterAll(() => deletePrefix(prefix));

  test('a crashed instance’s concurrency slot frees itself when its lease expires', async () => {
    const clock = manualClock();
    const { logger } = recordingLogger();
    const a = createKeyLimiter(limiterServices(logger, REDIS_URL), { now: clock.now, redisPrefix: prefix, leaseTtlMs: 1_000 });
    const b = createKeyLimiter(limiterServices(logger, REDIS_URL), { now: clock.now, redisPrefix: prefix, leaseTtlMs: 1_000 });
    try {
      const key = keyEntry({ maxConcurrency: 1 });
      await a.admit(key, 1);
      await a.close(); // gone without releasing, as a crash would
      await expect(b.admit(key, 1)).rejects.toMatchObject({ status: 429, retryAfter: 1 });
      clock.advance(1_500);
      const admitted = await b.admit(key, 1);
      admitted.release({ costUsd: 0 });
      await settle();
      expect((await b.state(key)).inFlight).toBe(0);
    } finally {
      await b.close();
    }
  });

  test('scripts run by EVALSHA and fall back to EVAL when Redis lost them', async () => {
    const client = new Redis(REDIS_URL);
    const clock = manualClock();
    const store = new RedisCounterStore(client, { prefix, now: clock.now });
    const calls: string[] = [];
    const evalsha = client.evalsha.bind(client);
    let failNext = true;
    (client as unknown as { evalsha: typeof client.evalsha }).evalsha = ((...args: Parameters<typeof client.evalsha>) => {
      calls.push('evalsha');
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      }
      return evalsha(...args);
    }) as typeof client.evalsha;
    const limiter = new KeyLimits({
      store,
      logger: recordingLogger().logger,
      now: clock.now,
      defaultBackend: 'redis',
      onClose: async () => void client.disconnect(),
    });
    try {
      const key = keyEntry({ rpmLimit: 5 });
      expect((await limiter.admit(key, 1)).headers['x-ratelimit-remaining-requests']).toBe('4');
      expect((await limiter.admit(key, 1)).headers['x-ratelimit-remaining-requests']).toBe('3');
      expect(calls).toEqual(['evalsha', 'evalsha']);
    } finally {
      await limiter.close();
    }
  });

  test('an outage switches to memory with one warning; on return Redis is used again and learns the spend it missed', async () => {
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
    await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    const clock = manualClock();
    const { logger, lines } = recordingLogger();
    const store = new FailoverCounterStore(new RedisCounterStore(client, { prefix, now: clock.now }), new MemoryCounterStore(), logger);
    const limiter = new KeyLimits({ store, logger, now: clock.now, defaultBackend: 'redis', onClose: async () => void client.disconnect() });
    try {
      const key = keyEntry({ rpmLimit: 100, budgetUsd: 10, budgetPeriod: 'total' });
      (await limiter.admit(key, 1)).release({ costUsd: 0.1 });
      await settle();
      expect(store.usingRedis).toBe(true);

      client.disconnect();
      for (let i = 0; i < 3; i++) (await limiter.admit(key, 1)).release({ costUsd: 0.5 });
      await settle();
      expect(store.usingRedis).toBe(false);
      expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      // Memory knows everything this instance spent.
      expect((await limiter.state(key)).totalSpendUsd).toBeCloseTo(1.6, 10);

      await client.connect();
      await waitFor(() => lines.some((l) => l.level === 'info' && /Redis is back/.test(l.msg)));
      expect(store.usingRedis).toBe(true);
      // Read from Redis now: the spend made during the outage was raised into it.
      expect((await limiter.state(key)).totalSpendUsd).toBeCloseTo(1.6, 10);
      (await limiter.admit(key, 1)).release({ costUsd: 0.4 });
      await settle();
      expect((await limiter.state(key)).totalSpendUsd).toBeCloseTo(2.0, 10);
      expect((await limiter.state(key)).rpmUsed).toBe(2); // one before the outage, one after; memory counted its own
      expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    } finally {
      await limiter.close();
    }
  });
});
