import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createProviderWithModel, createVirtualModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let receiver: OtlpReceiver;
let gw: TestGateway;
let openaiUp: MockUpstream;
let anthropicUp: MockUpstream;
let pluginNames: string[] = [];
let bodiesKey: string;
let quietKey: string;

/** A client's own trace: `00-<trace id>-<span id>-01`. */
function clientTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

async function traceWith(traceId: string, count: number): Promise<ReceivedSpan[]> {
  return waitFor(() => spansOf(traceId).length >= count && spansOf(traceId), { timeoutMs: 10_000, what: `${count} spans of trace ${traceId}` });
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  gw = await startTestGateway(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=t0ken%20one',
      OTEL_SERVICE_NAME: 'gateway-under-test',
    },
    undefined,
    {
      plugins: (builtIn) => {
        pluginNames = builtIn.map((p) => p.name);
        return builtIn;
      },
    },
  );
  openaiUp = await startOpenAIChatMock();
  anthropicUp = await startAnthropicMock();
  const first = await createProviderWithModel(gw, { name: 'p-openai', type: 'openai', baseUrl: openaiUp.url }, { name: 'first', upstreamModel: 'gpt-4o' });
  const second = await createProviderWithModel(
    gw,
    { name: 'p-anthropic', type: 'anthropic', baseUrl: anthropicUp.url },
    { name: 'second', upstreamModel: 'claude-sonnet-4-5-20250929' },
  );
  await createVirtualModel(gw, {
    name: 'traced',
    strategy: 'FAILOVER',
    targets: [
      { modelId: first.modelId, priority: 0, weight: 1 },
      { modelId: second.modelId, priority: 1, weight: 1 },
    ],
    options: { retries: 2, failureThreshold: 100 },
  });
  bodiesKey = (await createKey(gw, { name: 'traced-bodies', logBodies: true })).key;
  quietKey = (await createKey(gw, { name: 'traced-quiet', logBodies: false })).key;
});

afterAll(async () => {
  await gw?.stop();
  await openaiUp?.close();
  await anthropicUp?.close();
  await receiver?.close();
});

describe('OpenTelemetry traces over OTLP/HTTP', () => {
  test('the tracing plugin is first in the list when OTLP export is configured', () => {
    expect(pluginNames[0]).toBe('tracing');
  });

  test('a translated request retried on a second target: a server span continuing the client trace, a client span per attempt', async () => {
    const client = clientTrace();
    openaiUp.enqueue({ type: 'error', status: 500 });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bodiesKey}`, 'content-type': 'application/json', traceparent: client.traceparent },
      body: JSON.stringify({ model: 'traced', max_tokens: 64, temperature: 0.2, messages: [{ role: 'user', content: 'hello traces' }] }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe('Hello from anthropic: hello traces');

    const spans = await traceWith(client.traceId, 3);
    const root = spans.find((s) => s.kind === SERVER)!;
    expect(root.parentSpanId).toBe(client.spanId);
    expect(root.name).toBe('chat traced');
    expect(root.resource['service.name']).toBe('gateway-under-test');
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'traced',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 8,
      'gateway.key.name': 'traced-bodies',
      'gateway.virtual_model': 'traced',
      'gateway.target': 'second',
      'gateway.provider': 'p-anthropic',
      'gateway.attempts': 2,
      'gateway.status': 'ok',
      'http.response.status_code': 200,
    });
    expect(root.status.code ?? 0).not.toBe(ERROR);

    const attempts = spans.filter((s) => s.kind === CLIENT).sort((a, b) => Number(a.attributes['gateway.attempt']) - Number(b.attributes['gateway.attempt']));
    expect(attempts).toHaveLength(2);
    for (const a of attempts) expect(a.parentSpanId).toBe(root.spanId);
    const [failed, answered] = attempts as [ReceivedSpan, ReceivedSpan];
    expect(failed.name).toBe('chat gpt-4o');
    expect(failed.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gateway.target': 'first',
      'gateway.attempt': 1,
      'http.response.status_code': 500,
      'server.address': '127.0.0.1',
    });
    expect(failed.attributes['error.type']).toBeTruthy();
    expect(failed.status.code).toBe(ERROR);
    expect(answered.name).toBe('chat claude-sonnet-4-5-20250929');
    expect(answered.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 8,
      'gateway.attempt': 2,
      'gateway.passthrough': false,
      'gateway.upstream.wire': 'anthropic-messages',
    });
    expect(answered.status.code ?? 0).not.toBe(ERROR);

    // The trace goes on upstream: each attempt's own span is the upstream call's parent.
    const sentFirst = openaiUp.requests.at(-1)!.headers.traceparent;
    const sentSecond = anthropicUp.requests.at(-1)!.headers.traceparent;
    expect(sentFirst).toBe(`00-${client.traceId}-${failed.spanId}-01`);
    expect(sentSecond).toBe(`00-${client.traceId}-${answered.spanId}-01`);

    // The key logs bodies: prompt and completion are span events.
    const prompt = root.events.find((e) => e.name === 'gen_ai.content.prompt');
    const completion = root.events.find((e) => e.name === 'gen_ai.content.completion');
    expect(String(prompt?.attributes['gen_ai.prompt'])).toContain('hello traces');
    expect(String(completion?.attributes['gen_ai.completion'])).toContain('Hello from anthropic: hello traces');
    expect(JSON.stringify(spans)).not.toContain(bodiesKey);

    // OTEL_EXPORTER_OTLP_HEADERS reached the collector.
    expect(receiver.exports.at(-1)!.headers['x-collector-token']).toBe('t0ken one');
  });

  test('a streamed answer: usage and finish reason from the stream; no body events for a key that does not log bodies', async () => {
    const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: quietKey, maxRetries: 0 });
    const client = clientTrace();
    const stream = await openai.chat.completions.create(
      { model: 'traced', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream secret prompt' }] },
      { headers: { traceparent: client.traceparent } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from openai-chat: stream secret prompt');

    const spans = await traceWith(client.traceId, 2);
    const root = spans.find((s) => s.kind === SERVER)!;
    const attempt = spans.find((s) => s.kind === CLIENT)!;
    expect(root.attributes).toMatchObject({
      'gateway.key.name': 'traced-quiet',
      'gateway.stream': true,
      'gateway.attempts': 1,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 8,
    });
    expect(attempt.attributes).toMatchObject({ 'gateway.passthrough': true, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(root.events).toEqual([]);
    expect(JSON.stringify(spans)).not.toContain('stream secret prompt');
  });

  test('a cache hit is a request span without attempts, marked with the cache status', async () => {
    const ask = async () => {
      const client = clientTrace();
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${quietKey}`, 'content-type': 'application/json', traceparent: client.traceparent, 'x-gateway-cache-ttl': '60' },
        body: JSON.stringify({ model: 'traced', messages: [{ role: 'user', content: 'cache me in a trace' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      return { client, cache: res.headers.get('x-gateway-cache') };
    };
    const first = await ask();
    await gw.services.caches.responses.settled();
    const second = await ask();
    expect([first.cache, second.cache]).toEqual(['miss', 'hit']);
    const [missRoot] = (await traceWith(first.client.traceId, 2)).filter((s) => s.kind === SERVER);
    expect(missRoot.attributes['gateway.cache.status']).toBe('miss');
    const hit = await traceWith(second.client.traceId, 1);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(spansOf(second.client.traceId).filter((s) => s.kind === CLIENT)).toEqual([]);
    expect(hit[0].attributes).toMatchObject({ 'gateway.cache.status': 'hit', 'gateway.attempts': 0, 'gateway.status': 'ok', 'gen_ai.usage.output_tokens': 8 });
  });

  test('a request without traceparent starts its own trace; a refused one is an error span', async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${quietKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(404);
    const refused = await waitFor(() => receiver.spans.find((s) => s.kind === SERVER && s.attributes['gen_ai.request.model'] === 'no-such-model'), {
      timeoutMs: 10_000,
    });
    expect(refused.attributes['http.response.status_code']).toBe(404);
    expect(refused.parentSpanId).toBeUndefined();
    expect(refused.status.code).toBe(ERROR);
    expect(refused.attributes['gateway.status']).toBe('error');
  });
});

describe('OTLP protobuf, and tracing off', () => {
  test('the default protocol is http/protobuf: the export carries the client trace id', async () => {
    const proto = await startOtlpReceiver();
    const other = await startTestGateway({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${proto.url}/v1/traces` });
    const up = await startOpenAIChatMock();
    try {
      await createProviderWithModel(other, { name: 'p', type: 'openai', baseUrl: up.url }, { name: 'plain', upstreamModel: 'gpt-4o' });
      const key = (await createKey(other)).key;
      const client = clientTrace();
      const res = await fetch(`${other.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', traceparent: client.traceparent },
        body: JSON.stringify({ model: 'plain', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(String(up.requests.at(-1)!.headers.traceparent)).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-01$`));
      await other.stop();
      const exported = proto.exports.find((e) => e.path === '/v1/traces');
      expect(exported?.contentType).toBe('application/x-protobuf');
      expect(exported!.body.includes(Buffer.from(client.traceId, 'hex'))).toBe(true);
      expect(exported!.body.includes(Buffer.from('gen_ai.request.model'))).toBe(true);
    } finally {
      await other.stop().catch(() => {});
      await up.close();
      await proto.close();
    }
  });

  test('without an OTLP endpoint there is no tracing plugin, and nothing is sent upstream for it', async () => {
    let names: string[] = [];
    const plain = await startTestGateway({}, undefined, {
      plugins: (builtIn) => {
        names = builtIn.map((p) => p.name);
        return builtIn;
      },
    });
    const up = await startOpenAIChatMock();
    try {
      expect(names.length).toBeGreaterThan(0);
      expect(names).not.toContain('tracing');
      await createProviderWithModel(plain, { name: 'p', type: 'openai', baseUrl: up.url }, { name: 'plain', upstreamModel: 'gpt-4o' });
      const key = (await createKey(plain)).key;
      const res = await fetch(`${plain.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'plain', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(up.requests.at(-1)!.headers.traceparent).toBeUndefined();
    } finally {
      await plain.stop();
      await up.close();
    }
  });
});
