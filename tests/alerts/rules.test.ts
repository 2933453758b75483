import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAlertChannel, createKey, createProviderWithModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';
import { startHookReceiver } from './receiver.js';

// Periodic rules on one instance (SQLite): error rate, p95 latency and key expiry, each with its cool-down or once-only rule.
describe('periodic alert rules', () => {
  let gw: TestGateway;
  let upstream: MockUpstream;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  let channel: string;
  let key: string;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const alerts = (kind: string) => receiver.hooks.filter((h) => h.body.kind === kind);
  const RULE = 'mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }';

  async function chat(model: string, stream = false) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return res.status;
  }

  beforeAll(async () => {
    gw = await startTestGateway({ ALERTS_INTERVAL_MS: '150' });
    upstream = await startOpenAIChatMock();
    receiver = await startHookReceiver();
    channel = await createAlertChannel(gw, { name: 'hook', kind: 'WEBHOOK', url: `${receiver.url}/webhook/rules` });
    await createProviderWithModel(gw, { name: 'errs', type: 'openai', baseUrl: upstream.url }, { name: 'erratic', upstreamModel: 'gpt-4o' });
    key = (await createKey(gw, { name: 'rules-traffic' })).key;
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await receiver?.close();
  });

  test('error rate over the threshold for a model: one alert per cool-down, not below minRequests', async () => {
    await gw.admin(RULE, {
      i: {
        name: 'errors',
        kind: 'ERROR_RATE',
        params: { scope: 'model', threshold: 0.5, windowSeconds: 60, minRequests: 4, targets: ['erratic'] },
        channelIds: [channel],
        cooldownSeconds: 600,
      },
    });
    upstream.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 500 }, { type: 'error', status: 500 });
    for (let i = 0; i < 3; i++) expect(await chat('erratic')).toBe(500);
    await sleep(500);
    expect(alerts('error_rate')).toEqual([]);
    expect(await chat('erratic')).toBe(200);
    const alert = await waitFor(() => alerts('error_rate')[0], { what: 'the error-rate alert' });
    expect(alert.body).toMatchObject({
      severity: 'warning',
      title: 'erratic: 75.0% errors',
      labels: { scope: 'model', name: 'erratic', errorRate: 0.75, requests: 4 },
    });
    await sleep(600);
    expect(alerts('error_rate')).toHaveLength(1);
  });

  test('p95 latency over the threshold per provider', async () => {
    await gw.admin(RULE, {
      i: {
        name: 'slow',
        kind: 'LATENCY_P95',
        params: { scope: 'provider', thresholdMs: 150, windowSeconds: 60, minRequests: 2, targets: ['errs'] },
        channelIds: [channel],
      },
    });
    upstream.enqueue({ type: 'text', text: 'slow', chunks: 2, chunkDelayMs: 200 }, { type: 'text', text: 'slow', chunks: 2, chunkDelayMs: 200 });
    // Streamed, so the answer takes the chunks' delays.
    expect(await chat('erratic', true)).toBe(200);
    expect(await chat('erratic', true)).toBe(200);
    const alert = await waitFor(() => alerts('latency_p95')[0], { what: 'the latency alert' });
    expect(alert.body.labels).toMatchObject({ scope: 'provider', name: 'errs' });
    expect(alert.body.labels.p95Ms).toBeGreaterThan(150);
  });

  test('a key expiring within N days: once per key and expiry', async () => {
    const soon = new Date(Date.now() + 2.5 * 86_400_000);
    await createKey(gw, { name: 'short-lived', expiresAt: soon.toISOString() });
    await createKey(gw, { name: 'long-lived', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    await gw.admin(RULE, { i: { name: 'expiry', kind: 'KEY_EXPIRY', params: { days: 7 }, channelIds: [channel] } });
    const alert = await waitFor(() => alerts('key_expiry')[0], { what: 'the expiry alert' });
    expect(alert.body).toMatchObject({ title: 'Key short-lived expires in 3 days', labels: { key: 'short-lived', expiresAt: soon.toISOString() } });
    await sleep(600);
    expect(alerts('key_expiry')).toHaveLength(1);
  });
});
