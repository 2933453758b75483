import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KeyLimits } from '../../server/limits/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addPricedModel, chat, DEFAULT_COST, keyView, messages, midMinuteClock, useLimiter } from './gateway-helpers.js';
import { createKey } from '../support/admin.js';
import { eventually } from '../support/wait.js';

describe('key limits through a running gateway (memory backend)', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let limiter: KeyLimits;
  const clock = midMinuteClock();

  beforeAll(async () => {
    gw = await startTestGateway();
    mock = await startOpenAIChatMock();
    await addPricedModel(gw, mock.url);
    limiter = await useLimiter(gw, { now: clock.now, redisUrl: null });
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  test('x-ratelimit-* headers on every response, counting down', async () => {
    const { key } = await createKey(gw, { rpmLimit: 5, tpmLimit: 10_000 });
    const requests: string[] = [];
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat(gw, key);
      expect(res.status).toBe(200);
      await res.json();
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(res.headers.get('x-ratelimit-reset-requests')).toBe('30s');
      expect(res.headers.get('x-ratelimit-limit-tokens')).toBe('10000');
      expect(res.headers.get('x-ratelimit-reset-tokens')).toBe('30s');
      requests.push(res.headers.get('x-ratelimit-remaining-requests')!);
      tokens.push(Number(res.headers.get('x-ratelimit-remaining-tokens')));
    }
    expect(requests).toEqual(['4', '3', '2']);
    expect(tokens[0]).toBeLessThan(10_000);
    expect(tokens[1]).toBeLessThan(tokens[0]);
    expect(tokens[2]).toBeLessThan(tokens[1]);

    // A streamed answer carries them too.
    const stream = await chat(gw, key, { stream: true });
    expect(stream.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    await stream.text();

    const { key: free } = await createKey(gw);
    const plain = await chat(gw, free);
    await plain.json();
    expect(plain.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  test('over RPM: 429 in the caller’s format, with retry-after and the headers', async () => {
    const { key } = await createKey(gw, { rpmLimit: 1 });
    expect((await chat(gw, key)).status).toBe(200);

    const openai = await chat(gw, key);
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('30');
    expect(openai.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(openai.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(openai.headers.get('x-ratelimit-reset-requests')).toBe('30s');
    const body = await openai.json();
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(body.error.message).toMatch(/1 requests per minute/);

    const anthropic = await messages(gw, key);
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toBe('30');
    expect(anthropic.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  test('RPM is exact under concurrency: 30 at once against a limit of 10', async () => {
    const { key, id } = await createKey(gw, { rpmLimit: 10 });
    const responses = await Promise.all(Array.from({ length: 30 }, () => chat(gw, key)));
    await Promise.all(responses.map((r) => r.text()));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect((await keyView(gw, id)).rateLimitState.rpmUsed).toBe(10);
  });

  test('TPM stops the key after the request whose usage crosses it; a new minute lets it in', async () => {
    const { key, id } = await createKey(gw, { tpmLimit: 1_000 });
    mock.setUsage({ input: 400, output: 200 });
    try {
      for (const expected of [600, 1_200]) {
        const res = await chat(gw, key);
        expect(res.status).toBe(200);
        await res.json();
        await eventually(async () => expect((await keyView(gw, id)).rateLimitState.tpmUsed).toBe(expected));
      }
      const refused = await chat(gw, key);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
      expect((await refused.json()).error.message).toMatch(/1000 tokens per minute/);

      clock.advance(60_000);
      const next = await chat(gw, key);
      expect(next.status).toBe(200);
      await next.json();
    } finally {
      mock.setUsage({ input: 12, output: 8 });
    }
  });

  test('budget stops the key after the spend that crosses it; spend is the sum of request costs', async () => {
    const { key, id } = await createKey(gw, { budgetUsd: 0.05, budgetPeriod: 'total' });
    for (let i = 1; i <= 2; i++) {
      const res = await chat(gw, key);
      expect(res.status).toBe(200);
      await res.json();
      await eventually(async () => expect((await keyView(gw, id)).currentPeriodSpendUsd).toBeCloseTo(i * DEFAULT_COST, 10));
    }

    const openai = await chat(gw, key);
    expect(openai.status).toBe(429);
    expect(openai.headers.get('x-should-retry')).toBe('false');
    expect(openai.headers.get('retry-after')).toBeNull(); // a total budget never resets
    const body = await openai.json();
    expect(body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(body.error.message).toMatch(/Budget exceeded/);

    const anthropic = await messages(gw, key);
    expect(anthropic.status).toBe(429);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'billing_error' } });

    await limiter.flushSpend();
    const view = await keyView(gw, id);
    expect(view.spendUsd).toBeCloseTo(2 * DEFAULT_COST, 10);
    expect(view.currentPeriodSpendUsd).toBeCloseTo(2 * DEFAULT_COST, 10);
  });

  test('a daily budget refusal says when it resets', async () => {
    const { key } = await createKey(gw, { budgetUsd: 0.01, budgetPeriod: 'daily' });
    await (await chat(gw, key)).json();
    const refused = await eventually(async () => {
      const res = await chat(gw, key);
      expect(res.status).toBe(429);
      return res;
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect((await refused.json()).error.type).toBe('insufficient_quota');
  });

  test('concurrency: the extra request gets 429 while one runs, and passes once it ended', async () => {
    const { key, id } = await createKey(gw, { maxConcurrency: 1 });
    mock.enqueue({ type: 'text', text: 'a slow answer in several chunks', chunks: 6, chunkDelayMs: 150 });
    const before = mock.requests.length;
    const slow = await chat(gw, key, { stream: true });
    expect(slow.status).toBe(200);
    const slowBody = slow.text();
    await eventually(async () => expect(mock.requests.length).toBe(before + 1));
    expect((await keyView(gw, id)).rateLimitState.inFlight).toBe(1);

    const extra = await chat(gw, key);
    expect(extra.status).toBe(429);
    expect(extra.headers.get('retry-after')).toBe('1');
    expect((await extra.json()).error.message).toMatch(/concurrent/);

    expect(await slowBody).toContain('chunk');
    await eventually(async () => expect((await keyView(gw, id)).rateLimitState.inFlight).toBe(0));
    const after = await chat(gw, key);
    expect(after.status).toBe(200);
    await after.json();
  });
});

describe('spend survives a restart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gateway-limits-'));
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startOpenAIChatMock();
  });
  afterAll(async () => {
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('total and daily spend are saved on close and loaded at start', async () => {
    const first = await startTestGateway({}, dir);
    let total: { key: string; id: string };
    let daily: { key: string; id: string };
    try {
      await addPricedModel(first, mock.url);
      total = await createKey(first, { budgetUsd: 0.05, budgetPeriod: 'total' });
      daily = await createKey(first, { budgetUsd: 0.05, budgetPeriod: 'daily' });
      for (const k of [total, daily]) {
        for (let i = 0; i < 2; i++) expect((await chat(first, k.key)).status).toBe(200);
      }
      await eventually(async () => expect((await keyView(first, daily.id)).currentPeriodSpendUsd).toBeCloseTo(2 * DEFAULT_COST, 10));
    } finally {
      await first.stop(); // saves pending spend
    }

    const second = await startTestGateway({}, dir);
    try {
      for (const k of [total, daily]) {
        const view = await keyView(second, k.id);
        expect(view.spendUsd).toBeCloseTo(2 * DEFAULT_COST, 10);
        expect(view.currentPeriodSpendUsd).toBeCloseTo(2 * DEFAULT_COST, 10);
        const res = await chat(second, k.key);
        expect(res.status).toBe(429);
        expect((await res.json()).error.type).toBe('insufficient_quota');
      }
    } finally {
      await second.stop();
    }
  });
});
