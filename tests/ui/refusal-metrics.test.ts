import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';
import { parsePrometheusText, sampleValue } from '../observability/prom-text.js';

const TOKEN = 'metrics-token-refusals-0123';

/** A 429 from a key's own limit is the gateway's refusal: the provider's error counter and the circuit breaker never see it. */
describe('gateway refusals stay out of provider errors and circuit breakers', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let vmId: string;
  let modelId: string;

  const metrics = async () => {
    const res = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    return parsePrometheusText(await res.text());
  };
  const target = async () =>
    (
      await gateway.admin<{ virtualModel: { targets: { modelId: string; state: string; cooldownUntil: string | null }[] } }>(
        'query($id: ID!) { virtualModel(id: $id) { targets { modelId state cooldownUntil } } }',
        { id: vmId },
      )
    ).virtualModel.targets[0];

  beforeAll(async () => {
    gateway = await startTestGateway({ METRICS_TOKEN: TOKEN });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'DeepSeek', type: 'openai', baseUrl: upstream.url });
    modelId = await createModel(gateway, providerId, 'deepseek-chat', 'deepseek-chat');
    // One failure would open this breaker: any refusal charged to the target would show at once.
    vmId = await createVirtualModel(gateway, {
      name: 'chat',
      strategy: 'FAILOVER',
      targets: [{ modelId, priority: 0 }],
      options: { retries: 0, failureThreshold: 1, cooldownMs: 60_000 },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('leaves the breaker closed and the provider error counter untouched after a key-limit 429', async () => {
    const limited = await createKey(gateway, { name: 'one-per-minute', rpmLimit: 1 });
    expect((await chatWithKey(gateway, limited.key, 'chat')).status).toBe(200);
    const refused = await chatWithKey(gateway, limited.key, 'chat');
    expect(refused.status).toBe(429);
    expect(refused.json.error.type ?? refused.json.error.code).toBeTruthy();
    expect(upstream.requests).toHaveLength(1);

    expect(await target()).toMatchObject({ modelId, state: 'CLOSED', cooldownUntil: null });
    const m = await metrics();
    expect(sampleValue(m, 'gateway_upstream_errors_total', { provider: 'DeepSeek' })).toBeUndefined();
    // The refusal is counted, under no provider, and named as the gateway's.
    expect(sampleValue(m, 'gateway_requests_total', { provider: 'DeepSeek', status: '429' })).toBeUndefined();
    expect(sampleValue(m, 'gateway_requests_total', { provider: '', status: '429' })).toBe(1);
    expect(sampleValue(m, 'gateway_refusals_total', { reason: 'rate_limit' })).toBe(1);
    expect(sampleValue(m, 'gateway_requests_total', { provider: 'DeepSeek', status: '200' })).toBe(1);

    // Another key still gets through the same target.
    const other = await createKey(gateway, { name: 'other' });
    expect((await chatWithKey(gateway, other.key, 'chat')).status).toBe(200);
  });

  it('does count a real provider failure, for contrast: the breaker opens and the provider error counter moves', async () => {
    const key = await createKey(gateway, { name: 'contrast' });
    upstream.enqueue({ type: 'error', status: 500 });
    expect((await chatWithKey(gateway, key.key, 'chat')).status).toBeGreaterThanOrEqual(500);
    expect((await target()).state).toBe('OPEN');
    const m = await metrics();
    expect(sampleValue(m, 'gateway_upstream_errors_total', { provider: 'DeepSeek' })).toBe(1);
    expect(sampleValue(m, 'gateway_refusals_total', { reason: 'rate_limit' })).toBe(1);
  });
});
