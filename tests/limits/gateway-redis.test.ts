import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addPricedModel, chat, DEFAULT_COST, keyView, midMinuteClock, useLimiter } from './gateway-helpers.js';
import { createKey } from '../support/admin.js';
import { eventually } from '../support/wait.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './support.js';
import { skipUnlessServices } from '../support/services.js';

const redisDown = await skipUnlessServices('Redis gateway limit tests', { redis: true });

(redisDown ? describe.skip : describe)('two gateway instances sharing Redis', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-limits-redis-'));
  const prefix = uniquePrefix();
  const clock = midMinuteClock();
  let one: TestGateway;
  let two: TestGateway;
  let mock: MockUpstream;
  let rpmKey: { key: string; id: string };
  let budgetKey: { key: string; id: string };
  let smallKey: { key: string; id: string };

  beforeAll(async () => {
    mock = await startOpenAIChatMock();
    one = await startTestGateway({ REDIS_URL }, dir);
    await addPricedModel(one, mock.url);
    rpmKey = await createKey(one, { rpmLimit: 10 });
    budgetKey = await createKey(one, { budgetUsd: 0.05, budgetPeriod: 'total' });
    smallKey = await createKey(one, { rpmLimit: 4 });
    // Same database file: the second instance loads the same keys at start.
    two = await startTestGateway({ REDIS_URL }, dir);
    for (const gw of [one, two]) await useLimiter(gw, { now: clock.now, redisPrefix: prefix });
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
    await mock?.close();
    await deletePrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test('hold one RPM limit together: 30 at once over both, exactly 10 pass', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => chat(i % 2 ? two : one, rpmKey.key)));
    await Promise.all(responses.map((r) => r.text()));
    const passed = responses.filter((r) => r.status === 200);
    expect(passed).toHaveLength(10);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(20);
    // The remaining counts form one sequence shared by both instances.
    const remaining = passed.map((r) => Number(r.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await keyView(two, rpmKey.id)).rateLimitState.rpmUsed).toBe(10);
  });

  test('alternating instances count down one limit', async () => {
    const remaining: string[] = [];
    for (const gw of [one, two, one, two]) {
      const res = await chat(gw, smallKey.key);
      expect(res.status).toBe(200);
      await res.json();
      remaining.push(res.headers.get('x-ratelimit-remaining-requests')!);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const gw of [one, two]) expect((await chat(gw, smallKey.key)).status).toBe(429);
  });

  test('share one budget: spend on either instance counts on both', async () => {
    expect((await chat(one, budgetKey.key)).status).toBe(200);
    await eventually(async () => expect((await keyView(two, budgetKey.id)).currentPeriodSpendUsd).toBeCloseTo(DEFAULT_COST, 10));
    expect((await chat(two, budgetKey.key)).status).toBe(200);
    await eventually(async () => expect((await keyView(one, budgetKey.id)).currentPeriodSpendUsd).toBeCloseTo(2 * DEFAULT_COST, 10));
    const refused = await chat(one, budgetKey.key);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.type).toBe('insufficient_quota');
  });
});
