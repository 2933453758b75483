import { afterAll, describe, expect, test } from 'vitest';
import { createKeyLimiter, type KeyLimits } from '../../server/limits/index.js';
import { formatResetDuration } from '../../server/limits/periods.js';
import { GatewayError } from '../../server/core/error.js';
import { deletePrefix, keyEntry, limiterServices, manualClock, recordingLogger, REDIS_URL, uniquePrefix } from './support.js';
import { skipUnlessServices } from '../support/services.js';

const redisDown = await skipUnlessServices('Redis limiter tests', { redis: true });

type Clock = ReturnType<typeof manualClock>;
/** Builds limiters of one backend; limiters made by one factory share their counters when the backend is shared. */
type Factory = (clock: Clock) => KeyLimits;

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the admission to be refused');
}

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens });
const settle = () => new Promise((r) => setTimeout(r, 20));

/** The behaviour both backends share. `instances` makes the limiters one test uses (several = several gateways). */
function backendSuite(name: string, factory: () => { make: Factory; cleanup(): Promise<void> }, instances: number) {
  describe(name, () => {
    const { make, cleanup } = factory();
    const open: KeyLimits[] = [];
    const limiters = (clock: Clock): KeyLimits[] => {
      const list = Array.from({ length: instances }, () => make(clock));
      open.push(...list);
      return list;
    };
    afterAll(async () => {
      await Promise.all(open.map((l) => l.close()));
      await cleanup();
    });

    test('RPM is exact under concurrency: 3× the limit at once, exactly the limit pass', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ rpmLimit: 10 });
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => ls[i % ls.length].admit(key, 5)));
      const passed = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(passed).toHaveLength(10);
      expect(refused).toHaveLength(20);
      for (const r of refused) {
        const error = r.reason as GatewayError;
        expect(error).toMatchObject({ status: 429, kind: 'rate_limit', retryAfter: 30 });
        expect(error.headers).toMatchObject({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '30s' });
      }
      const remaining = passed.map((r) =>
        Number((r as PromiseFulfilledResult<{ headers: Record<string, string> }>).value.headers['x-ratelimit-remaining-requests']),
      );
      expect(remaining.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    test('RPM headers count down and the window resets on the minute', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ rpmLimit: 3 });
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const a = await ls[i % ls.length].admit(key, 1);
        seen.push(a.headers['x-ratelimit-remaining-requests']);
        expect(a.headers['x-ratelimit-limit-requests']).toBe('3');
        a.release({ costUsd: 0 });
        clock.advance(5_000);
      }
      expect(seen).toEqual(['2', '1', '0']);
      const e = await refusal(ls[0].admit(key, 1));
      expect(e.retryAfter).toBe(15);
      expect(e.headers?.['x-ratelimit-reset-requests']).toBe('15s');
      clock.advance(15_000);
      const fresh = await ls[ls.length - 1].admit(key, 1);
      expect(fresh.headers['x-ratelimit-remaining-requests']).toBe('2');
    });

    test('a new minute window admits again', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ rpmLimit: 1 });
      await ls[0].admit(key, 1);
      clock.advance(29_500);
      const e = await refusal(ls[ls.length - 1].admit(key, 1));
      expect(e.retryAfter).toBe(1);
      expect(e.headers?.['x-ratelimit-reset-requests']).toBe('500ms');
      clock.advance(500);
      const a = await ls[ls.length - 1].admit(key, 1);
      expect(a.headers['x-ratelimit-remaining-requests']).toBe('0');
      expect(a.headers['x-ratelimit-reset-requests']).toBe('1m0s');
    });

    test('TPM: the estimate is reserved, real usage replaces it, the crossing request completes and the next stops', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ tpmLimit: 100 });
      const a = await ls[0].admit(key, 10);
      expect(a.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '90', 'x-ratelimit-reset-tokens': '30s' });
      a.release({ usage: usage(50, 30), costUsd: 0 });
      await settle();
      expect((await ls[0].state(key)).tpmUsed).toBe(80);
      const b = await ls[ls.length - 1].admit(key, 10);
      expect(b.headers['x-ratelimit-remaining-tokens']).toBe('10');
      b.release({ usage: usage(40, 10), costUsd: 0 });
      await settle();
      const e = await refusal(ls[0].admit(key, 1));
      expect(e).toMatchObject({ status: 429, kind: 'rate_limit', retryAfter: 30 });
      expect(e.headers?.['x-ratelimit-remaining-tokens']).toBe('0');
      expect(e.message).toMatch(/100 tokens per minute/);
      clock.advance(30_000);
      const c = await ls[0].admit(key, 7);
      expect(c.headers['x-ratelimit-remaining-tokens']).toBe('93');
      // Released in the next window: the reservation left with its window, the usage lands in the new one.
      clock.advance(60_000);
      c.release({ usage: usage(20, 5), costUsd: 0 });
      await settle();
      expect((await ls[0].state(key)).tpmUsed).toBe(25);
    });

    test('TPM keeps the estimate when the upstream reported no usage', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ tpmLimit: 1000 });
      const a = await ls[0].admit(key, 42);
      a.release({ costUsd: 0 });
      await settle();
      expect((await ls[0].state(key)).tpmUsed).toBe(42);
    });

    test('concurrency: the extra request gets 429 with retry-after 1; a release frees the slot', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ maxConcurrency: 2 });
      const a = await ls[0].admit(key, 1);
      await ls[ls.length - 1].admit(key, 1);
      expect((await ls[0].state(key)).inFlight).toBe(2);
      const e = await refusal(ls[0].admit(key, 1));
      expect(e).toMatchObject({ status: 429, kind: 'rate_limit', retryAfter: 1 });
      expect(e.message).toMatch(/at most 2/);
      a.release({ costUsd: 0 });
      a.release({ costUsd: 0 }); // twice is once
      await settle();
      expect((await ls[0].state(key)).inFlight).toBe(1);
      await ls[ls.length - 1].admit(key, 1);
      await refusal(ls[0].admit(key, 1));
    });

    test('daily budget: spend crosses it, the next request is refused until the next UTC day', async () => {
      const clock = manualClock(Date.UTC(2030, 4, 15, 22, 0, 0));
      const ls = limiters(clock);
      const key = keyEntry({ budgetUsd: 1, budgetPeriod: 'daily' });
      (await ls[0].admit(key, 1)).release({ costUsd: 0.6 });
      await settle();
      (await ls[ls.length - 1].admit(key, 1)).release({ costUsd: 0.5 });
      await settle();
      const e = await refusal(ls[0].admit(key, 1));
      expect(e).toMatchObject({ status: 429, kind: 'budget_exceeded', code: 'insufficient_quota', retryAfter: 7200 });
      expect(e.headers?.['x-should-retry']).toBe('false');
      expect(e.message).toMatch(/spent \$1\.1000 of its daily budget of \$1/);
      const state = await ls[0].state(key);
      expect(state.periodSpendUsd).toBeCloseTo(1.1, 10);
      expect(state.totalSpendUsd).toBeCloseTo(1.1, 10);
      clock.advance(2 * 3_600_000);
      const a = await ls[0].admit(key, 1);
      a.release({ costUsd: 0.25 });
      await settle();
      const next = await ls[0].state(key);
      expect(next.periodSpendUsd).toBeCloseTo(0.25, 10);
      expect(next.totalSpendUsd).toBeCloseTo(1.35, 10);
      // The same spend seen through a monthly budget: both days are in May.
      expect((await ls[0].state({ id: key.id, budgetPeriod: 'monthly' })).periodSpendUsd).toBeCloseTo(1.35, 10);
    });

    test('total budget: refused without retry-after; spend is the sum of costs', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ budgetUsd: 0.05, budgetPeriod: 'total' });
      const costs = [0.028, 0.028];
      for (const [i, cost] of costs.entries()) (await ls[i % ls.length].admit(key, 1)).release({ costUsd: cost });
      await settle();
      const e = await refusal(ls[0].admit(key, 1));
      expect(e.kind).toBe('budget_exceeded');
      expect(e.retryAfter).toBeUndefined();
      expect((await ls[0].state(key)).totalSpendUsd).toBeCloseTo(0.056, 10);
    });

    test('a key without limits gets no headers, yet its spend is counted', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry();
      const a = await ls[0].admit(key, 100);
      expect(a.headers).toEqual({});
      a.release({ usage: usage(1, 1), costUsd: 0.125 });
      await settle();
      expect((await ls[0].state(key)).totalSpendUsd).toBeCloseTo(0.125, 10);
    });

    test('a refused request consumes no other limit', async () => {
      const clock = manualClock();
      const ls = limiters(clock);
      const key = keyEntry({ rpmLimit: 5, maxConcurrency: 1 });
      await ls[0].admit(key, 1);
      await refusal(ls[0].admit(key, 1)); // concurrency
      await refusal(ls[0].admit(key, 1));
      expect((await ls[0].state(key)).rpmUsed).toBe(1);
    });
  });
}

backendSuite(
  'memory backend',
  () => {
    const { logger } = recordingLogger();
    return { make: (clock) => createKeyLimiter(limiterServices(logger), { now: clock.now }), cleanup: async () => {} };
  },
  1,
);

const redisSuite = redisDown ? describe.skip : describe;
redisSuite('redis', () => {
  const prefix = uniquePrefix();
  backendSuite(
    'redis backend, two instances sharing one Redis',
    () => {
      const { logger } = recordingLogger();
      return {
        make: (clock) => createKeyLimiter(limiterServices(logger, REDIS_URL), { now: clock.now, redisPrefix: prefix }),
        cleanup: () => deletePrefix(prefix),
      };
    },
    2,
  );
});

describe('reset durations in OpenAI notation', () => {
  test.each([
    [0, '0s'],
    [250, '250ms'],
    [1000, '1s'],
    [12_000, '12s'],
    [12_500, '12.5s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [3_723_000, '1h2m3s'],
  ])('%i ms → %s', (ms, text) => expect(formatResetDuration(ms)).toBe(text));
});
