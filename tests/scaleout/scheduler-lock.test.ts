import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { ScaleOut } from '../../server/scaleout/index.js';
import { deletePrefix, REDIS_URL } from '../limits/support.js';
import { skipUnlessServices } from '../support/services.js';
import { uniqueRedisPrefix } from './support.js';
import { waitFor } from '../support/wait.js';

const skip = await skipUnlessServices('Redis scheduler lock tests', { redis: true });

// Two instances' scale-out parts (each with its own Redis connections) competing for one lock.
(skip ? describe.skip : describe)('Redis scheduler lock', () => {
  const prefix = uniqueRedisPrefix();
  const logger = pino({ level: 'silent' });
  let one: ScaleOut;
  let two: ScaleOut;

  beforeAll(async () => {
    one = new ScaleOut({ redisUrl: REDIS_URL, prefix, logger });
    two = new ScaleOut({ redisUrl: REDIS_URL, prefix, logger });
    expect(await one.ready()).toBe(true);
    expect(await two.ready()).toBe(true);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await deletePrefix(prefix);
  });

  test('exactly one holder; renewal keeps it; release frees it', async () => {
    const a = one.schedulerLock('exclusive');
    const b = two.schedulerLock('exclusive');
    const first = await Promise.all([a.tryAcquire(5_000), b.tryAcquire(5_000)]);
    expect(first.filter(Boolean)).toHaveLength(1);
    const [holder, other] = first[0] ? [a, b] : [b, a];
    expect(await holder.tryAcquire(5_000)).toBe(true); // renews
    expect(await other.tryAcquire(5_000)).toBe(false);
    await other.release(); // not its lock: must not free it
    expect(await other.tryAcquire(5_000)).toBe(false);
    await holder.release();
    expect(await other.tryAcquire(5_000)).toBe(true);
    await other.release();
  });

  test('when the holder dies (stops renewing, never releases), the other takes over within one lock period', async () => {
    const ttlMs = 600;
    const dying = new ScaleOut({ redisUrl: REDIS_URL, prefix, logger });
    const survivor = two.schedulerLock('takeover');
    expect(await dying.ready()).toBe(true);
    expect(await dying.schedulerLock('takeover').tryAcquire(ttlMs)).toBe(true);
    const diedAt = Date.now();
    await dying.close(); // connection gone, no release: like a killed process
    expect(await survivor.tryAcquire(ttlMs)).toBe(false);
    await waitFor(async () => ((await survivor.tryAcquire(ttlMs)) ? true : undefined), { timeoutMs: 2_000, what: 'takeover' });
    const tookOverAfter = Date.now() - diedAt;
    expect(tookOverAfter).toBeLessThanOrEqual(ttlMs + 200);
    expect(tookOverAfter).toBeGreaterThanOrEqual(ttlMs - 50);
  });

  test('an unreachable Redis never grants the lock', async () => {
    const offline = new ScaleOut({ redisUrl: 'redis://127.0.0.1:1', prefix, logger });
    try {
      expect(await offline.ready(300)).toBe(false);
      expect(await offline.schedulerLock('exclusive').tryAcquire(1_000)).toBe(false);
    } finally {
      await offline.close();
    }
  });
});
