import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAIError } from '../support/mock-upstreams/openai-chat.js';
import { chat, hello, PRICES, startTraffic, type Traffic } from './helpers.js';
import { parsePrometheusText, sampleValue, type Family } from './prom-text.js';

const TOKEN = 'metrics-token-0123456789';
let t: Traffic;
beforeAll(async () => {
  t = await startTraffic({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await t?.stop();
});

const scrape = (authorization?: string) => fetch(`${t.gw.url}/metrics`, { headers: authorization ? { authorization } : {} });

describe('GET /metrics', () => {
  it('requires the METRICS_TOKEN when one is set', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong-token')).status).toBe(401);
    expect((await scrape(`Basic ${TOKEN}`)).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('parses as Prometheus text and counts the traffic sent', async () => {
    for (let i = 0; i < 7; i++) expect((await chat(t.gw, t.key, hello())).status).toBe(200);
    const stream = await chat(t.gw, t.key, { ...hello(), stream: true, stream_options: { include_usage: true } });
    expect(stream.status).toBe(200);
    t.oai.enqueue({ type: 'error', status: 500, body: openAIError(500) }, { type: 'error', status: 500, body: openAIError(500) });
    expect((await chat(t.gw, t.key, hello())).status).toBe(500);
    expect((await chat(t.gw, t.key, hello())).status).toBe(500);
    expect((await chat(t.gw, t.key, hello('made-up-model-name'))).status).toBe(404);
    // Rejections by the gateway's own key limits, as the proxy records them.
    const rejected = {
      at: new Date(),
      clientApi: 'chat-completions' as const,
      keyId: t.keyId,
      requestedModel: 'gpt-x',
      attempts: 0,
      stream: false,
      latencyMs: 1,
      costUsd: 0,
    };
    t.gw.services.recorder.record({ ...rejected, status: 429, errorClass: 'rate_limit', errorMessage: 'Rate limit exceeded' });
    t.gw.services.recorder.record({ ...rejected, status: 429, errorClass: 'rate_limit', errorMessage: 'Rate limit exceeded' });
    t.gw.services.recorder.record({ ...rejected, status: 429, errorClass: 'budget_exceeded', errorMessage: 'Budget exceeded' });

    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const m = parsePrometheusText(text);
    const ok = { model: 'gpt-x', provider: 'oai', status: '200' };

    expect(m.get('gateway_requests_total')?.type).toBe('counter');
    expect(sampleValue(m, 'gateway_requests_total', { ...ok, api: 'chat-completions' })).toBe(8);
    expect(sampleValue(m, 'gateway_requests_total', { model: 'gpt-x', provider: 'oai', status: '500' })).toBe(2);
    expect(sampleValue(m, 'gateway_requests_total', { model: 'unresolved', status: '404' })).toBe(1);
    expect(text).not.toContain('made-up-model-name');

    const duration = m.get('gateway_request_duration_seconds')!;
    expect(duration.type).toBe('histogram');
    expect(sampleValue(m, 'gateway_request_duration_seconds_count', ok, duration.name)).toBe(8);
    expectHistogram(duration, ok);
    const ttft = m.get('gateway_time_to_first_token_seconds')!;
    expect(sampleValue(m, 'gateway_time_to_first_token_seconds_count', { model: 'gpt-x', provider: 'oai' }, ttft.name)).toBe(8);
    expectHistogram(ttft, { model: 'gpt-x', provider: 'oai' });

    expect(sampleValue(m, 'gateway_tokens_total', { model: 'gpt-x', type: 'input' })).toBe(8 * 12);
    expect(sampleValue(m, 'gateway_tokens_total', { model: 'gpt-x', type: 'output' })).toBe(8 * 8);
    expect(sampleValue(m, 'gateway_cost_usd_total', { model: 'gpt-x' })).toBeCloseTo(8 * (12 * PRICES.inputPrice + 8 * PRICES.outputPrice), 12);
    expect(sampleValue(m, 'gateway_upstream_errors_total', { provider: 'oai', class: 'upstream' })).toBe(2);
    expect(sampleValue(m, 'gateway_rate_limited_total', { reason: 'rate_limit' })).toBe(2);
    expect(sampleValue(m, 'gateway_rate_limited_total', { reason: 'budget_exceeded' })).toBe(1);

    expect(m.get('gateway_log_buffer_depth')?.type).toBe('gauge');
    expect(sampleValue(m, 'gateway_log_buffer_depth', {})).toBeGreaterThanOrEqual(0);
    expect(sampleValue(m, 'gateway_request_log_dropped_total', { reason: 'buffer_full' })).toBe(0);
    expect(sampleValue(m, 'gateway_request_log_dropped_total', { reason: 'rejected' })).toBe(0);
    // Event-loop delay: a histogram sampled every 20 ms since start, and the largest delay since the last scrape.
    const loop = m.get('gateway_event_loop_delay_seconds')!;
    expect(loop.type).toBe('histogram');
    expect(sampleValue(m, 'gateway_event_loop_delay_seconds_count', {}, loop.name)).toBeGreaterThan(0);
    expectHistogram(loop, {});
    expect(m.get('gateway_event_loop_delay_max_seconds')?.type).toBe('gauge');
    expect(sampleValue(m, 'gateway_event_loop_delay_max_seconds', {})).toBeGreaterThan(0);
    expect(m.get('gateway_circuit_state')?.type).toBe('gauge');
    expect(m.get('process_cpu_user_seconds_total')?.samples.length).toBe(1);
    expect(m.get('nodejs_heap_size_used_bytes')?.samples.length).toBe(1);

    // The same traffic in the log: 8 + 2 + 1 + 3 rows for this key and model-less request.
    await t.gw.services.requestLogs.flush();
    const m2 = parsePrometheusText(await (await scrape(`Bearer ${TOKEN}`)).text());
    expect(sampleValue(m2, 'gateway_log_buffer_depth', {})).toBe(0);
    expect(sampleValue(m2, 'gateway_log_flushes_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(await t.gw.services.db.requestLog.count()).toBe(14);
  });
});

/** Cumulative buckets never decrease and the +Inf bucket equals _count. */
function expectHistogram(family: Family, labels: Record<string, string>): void {
  const match = (s: { labels: Record<string, string> }) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  const buckets = family.samples.filter((s) => s.name === `${family.name}_bucket` && match(s));
  expect(buckets.length).toBeGreaterThan(1);
  const ordered = [...buckets].sort(
    (a, b) => Number(a.labels.le === '+Inf' ? Infinity : a.labels.le) - Number(b.labels.le === '+Inf' ? Infinity : b.labels.le),
  );
  for (let i = 1; i < ordered.length; i++) expect(ordered[i].value).toBeGreaterThanOrEqual(ordered[i - 1].value);
  const count = family.samples.find((s) => s.name === `${family.name}_count` && match(s))!.value;
  expect(ordered.at(-1)!.labels.le).toBe('+Inf');
  expect(ordered.at(-1)!.value).toBe(count);
}
