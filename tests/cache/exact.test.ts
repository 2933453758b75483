/**
 * The exact response cache through a real gateway, with the official OpenAI
 * and Anthropic SDKs against loopback mock upstreams that count their calls:
 * a hit is proven by no new upstream call. Caching is turned on per request
 * here (x-gateway-cache-ttl); settings on keys and virtual models are in
 * settings.test.ts.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { anthropicClient, createKey, openaiClient, PNG_DATA_URL, postRaw } from '../support/proxy-fixture.js';
import { addPricedUpstream, logRows, MOCK_COST, userTurn } from './helpers.js';

let gw: TestGateway;
let chat: MockUpstream;
let anthropic: MockUpstream;
let key: { key: string; id: string };
const on = { 'x-gateway-cache-ttl': '60' };
let n = 0;
/** A prompt no earlier test sent, so each test starts from an empty cache. */
const fresh = (what: string) => `${what} #${++n}`;

beforeAll(async () => {
  gw = await startTestGateway();
  ({ mock: chat } = await addPricedUpstream(gw, 'openai-chat'));
  ({ mock: anthropic } = await addPricedUpstream(gw, 'anthropic'));
  key = await createKey(gw);
});

afterAll(async () => {
  await gw?.stop();
  await chat?.close();
  await anthropic?.close();
});

/** Upstream calls made by `run`, over both mocks. */
async function upstreamCalls(run: () => Promise<unknown>): Promise<number> {
  const before = chat.requests.length + anthropic.requests.length;
  await run();
  await gw.services.caches.responses.settled();
  return chat.requests.length + anthropic.requests.length - before;
}

describe('a second identical request is a hit, in every client format, whole and streamed', () => {
  test('Chat Completions, whole', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('chat whole')) };
    let first!: { data: OpenAI.ChatCompletion; response: Response };
    expect(await upstreamCalls(async () => (first = await client.chat.completions.create(body, { headers: on }).withResponse()))).toBe(1);
    expect(first.response.headers.get('x-gateway-cache')).toBe('miss');
    let second!: typeof first;
    expect(await upstreamCalls(async () => (second = await client.chat.completions.create(body, { headers: on }).withResponse()))).toBe(0);
    expect(second.response.headers.get('x-gateway-cache')).toBe('hit');
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content);
    expect(second.data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 8 });
  });

  test('Chat Completions, streamed (usage included)', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('chat stream')), stream: true as const, stream_options: { include_usage: true } };
    const read = async () => {
      const { data: stream, response } = await client.chat.completions.create(body, { headers: on }).withResponse();
      let text = '';
      let usage: number | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage.completion_tokens;
      }
      return { text, usage, cache: response.headers.get('x-gateway-cache') };
    };
    let first!: Awaited<ReturnType<typeof read>>;
    let second!: Awaited<ReturnType<typeof read>>;
    expect(await upstreamCalls(async () => (first = await read()))).toBe(1);
    expect(await upstreamCalls(async () => (second = await read()))).toBe(0);
    expect(first).toMatchObject({ cache: 'miss', usage: 8 });
    expect(second).toEqual({ ...first, cache: 'hit' });
    expect(second.text).toContain('chat stream');
  });

  test('Responses, whole and streamed', async () => {
    const client = openaiClient(gw, key.key);
    const input = fresh('responses');
    const whole = () => client.responses.create({ model: 'm-openai-chat', input }, { headers: on }).withResponse();
    let first!: Awaited<ReturnType<typeof whole>>;
    expect(await upstreamCalls(async () => (first = await whole()))).toBe(1);
    let second!: Awaited<ReturnType<typeof whole>>;
    expect(await upstreamCalls(async () => (second = await whole()))).toBe(0);
    expect(second.response.headers.get('x-gateway-cache')).toBe('hit');
    expect(second.data.output_text).toBe(first.data.output_text);
    // The same request streamed: the stored whole answer replays as Responses events.
    let text = '';
    let status: string | undefined;
    expect(
      await upstreamCalls(async () => {
        const stream = await client.responses.create({ model: 'm-openai-chat', input, stream: true }, { headers: on });
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') text += event.delta;
          if (event.type === 'response.completed') status = event.response.status;
        }
      }),
    ).toBe(0);
    expect(text).toBe(first.data.output_text);
    expect(status).toBe('completed');
  });

  test('Messages, whole and streamed', async () => {
    const client = anthropicClient(gw, key.key);
    const body = { model: 'm-anthropic', max_tokens: 50, messages: userTurn(fresh('messages')) };
    let first!: Anthropic.Message;
    expect(await upstreamCalls(async () => (first = await client.messages.create(body, { headers: on })))).toBe(1);
    let second!: typeof first;
    expect(await upstreamCalls(async () => (second = await client.messages.create(body, { headers: on })))).toBe(0);
    expect(second.content).toEqual(first.content);
    expect(second.usage.output_tokens).toBe(8);
    let final!: Awaited<ReturnType<ReturnType<typeof client.messages.stream>['finalMessage']>>;
    expect(await upstreamCalls(async () => (final = await client.messages.stream(body, { headers: on }).finalMessage()))).toBe(0);
    expect(final.content).toEqual(first.content);
    expect(final.usage.output_tokens).toBe(8);
  });

  test('a streamed answer stored as it streamed is served whole to the next, non-stream, request', async () => {
    const client = anthropicClient(gw, key.key);
    const body = { model: 'm-anthropic', max_tokens: 50, messages: userTurn(fresh('stream first')) };
    let streamed!: Awaited<ReturnType<ReturnType<typeof client.messages.stream>['finalMessage']>>;
    expect(await upstreamCalls(async () => (streamed = await client.messages.stream(body, { headers: on }).finalMessage()))).toBe(1);
    let whole!: Anthropic.Message;
    expect(await upstreamCalls(async () => (whole = await client.messages.create(body, { headers: on })))).toBe(0);
    expect(whole.content).toEqual(streamed.content);
  });

  test('the cache is keyed on the canonical request: a Messages client hits what a Chat client stored', async () => {
    const text = fresh('across formats');
    const chatAnswer = await openaiClient(gw, key.key).chat.completions.create(
      { model: 'm-openai-chat', max_tokens: 50, messages: userTurn(text) },
      { headers: on },
    );
    let answer!: Anthropic.Message;
    expect(
      await upstreamCalls(
        async () =>
          (answer = await anthropicClient(gw, key.key).messages.create({ model: 'm-openai-chat', max_tokens: 50, messages: userTurn(text) }, { headers: on })),
      ),
    ).toBe(0);
    expect(answer.content[0]).toMatchObject({ type: 'text', text: chatAnswer.choices[0].message.content });
  });
});

describe('what is in the key', () => {
  const tool = {
    type: 'function' as const,
    function: { name: 'lookup', description: 'Looks a thing up', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
  };

  test('a request differing only in tools, an image, temperature or the model is a miss', async () => {
    const client = openaiClient(gw, key.key);
    const text = fresh('variants');
    const base = { model: 'm-openai-chat', messages: userTurn(text) };
    expect(await upstreamCalls(() => client.chat.completions.create(base, { headers: on }))).toBe(1);
    expect(await upstreamCalls(() => client.chat.completions.create(base, { headers: on }))).toBe(0);
    expect(await upstreamCalls(() => client.chat.completions.create({ ...base, tools: [tool] }, { headers: on }))).toBe(1);
    expect(await upstreamCalls(() => client.chat.completions.create({ ...base, temperature: 0.2 }, { headers: on }))).toBe(1);
    expect(await upstreamCalls(() => client.chat.completions.create({ ...base, temperature: 0.3 }, { headers: on }))).toBe(1);
    const withImage = {
      model: 'm-openai-chat',
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text },
            { type: 'image_url' as const, image_url: { url: PNG_DATA_URL } },
          ],
        },
      ],
    };
    expect(await upstreamCalls(() => client.chat.completions.create(withImage, { headers: on }))).toBe(1);
    expect(await upstreamCalls(() => client.chat.completions.create({ ...base, model: 'm-anthropic' }, { headers: on }))).toBe(1);
    // Each variant is its own entry now.
    expect(await upstreamCalls(() => client.chat.completions.create({ ...base, temperature: 0.2 }, { headers: on }))).toBe(0);
    expect(await upstreamCalls(() => client.chat.completions.create(withImage, { headers: on }))).toBe(0);
  });

  test('entries are scoped to the key that wrote them', async () => {
    const other = await createKey(gw);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('scoped')) };
    await openaiClient(gw, key.key).chat.completions.create(body, { headers: on });
    expect(await upstreamCalls(() => openaiClient(gw, other.key).chat.completions.create(body, { headers: on }))).toBe(1);
  });

  test('the end-user id and metadata are not in the key', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('user field')) };
    await client.chat.completions.create({ ...body, user: 'alice' }, { headers: on });
    expect(await upstreamCalls(() => client.chat.completions.create({ ...body, user: 'bob' }, { headers: on }))).toBe(0);
  });
});

describe('request headers', () => {
  test('no-cache goes upstream and refreshes the entry; no-store neither reads nor writes', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('directives')) };
    await client.chat.completions.create(body, { headers: on });
    chat.enqueue({ type: 'text', text: 'a refreshed answer' });
    const refreshed = await client.chat.completions.create(body, { headers: { ...on, 'x-gateway-cache': 'no-cache' } }).withResponse();
    expect(refreshed.response.headers.get('x-gateway-cache')).toBe('miss');
    expect(refreshed.data.choices[0].message.content).toBe('a refreshed answer');
    await gw.services.caches.responses.settled();
    const hit = await client.chat.completions.create(body, { headers: on }).withResponse();
    expect(hit.response.headers.get('x-gateway-cache')).toBe('hit');
    expect(hit.data.choices[0].message.content).toBe('a refreshed answer');

    const other = { model: 'm-openai-chat', messages: userTurn(fresh('no-store')) };
    let bypass!: { data: OpenAI.ChatCompletion; response: Response };
    expect(
      await upstreamCalls(
        async () => (bypass = await client.chat.completions.create(other, { headers: { ...on, 'x-gateway-cache': 'no-store' } }).withResponse()),
      ),
    ).toBe(1);
    expect(bypass.response.headers.get('x-gateway-cache')).toBe('bypass');
    const after = await client.chat.completions.create(other, { headers: on }).withResponse();
    expect(after.response.headers.get('x-gateway-cache')).toBe('miss');
  });

  test('without a setting or a TTL header there is no caching and no header', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('off')) };
    const first = await client.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-gateway-cache')).toBeNull();
    expect(await upstreamCalls(() => client.chat.completions.create(body))).toBe(1);
    // A malformed TTL is ignored, not an error.
    const bad = await postRaw(gw, '/v1/chat/completions', body, { authorization: `Bearer ${key.key}`, 'x-gateway-cache-ttl': 'soon' });
    expect(bad.status).toBe(200);
    expect(bad.headers.get('x-gateway-cache')).toBeNull();
  });

  test('an entry expires after its TTL', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('ttl')) };
    await client.chat.completions.create(body, { headers: { 'x-gateway-cache-ttl': '1' } });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await upstreamCalls(() => client.chat.completions.create(body, { headers: { 'x-gateway-cache-ttl': '1' } }))).toBe(1);
  });
});

describe('only complete, successful answers are stored', () => {
  test('an upstream error is not stored, and neither is a stream cut in the middle', async () => {
    const client = openaiClient(gw, key.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('errors')) };
    chat.enqueue({ type: 'error', status: 500 });
    await expect(client.chat.completions.create(body, { headers: on })).rejects.toThrow();
    expect(await upstreamCalls(() => client.chat.completions.create(body, { headers: on }))).toBe(1);

    const streamed = { model: 'm-openai-chat', messages: userTurn(fresh('cut')), stream: true as const };
    chat.enqueue({ type: 'drop_mid_stream', text: 'half an answer that never ends' });
    await expect(
      (async () => {
        for await (const _chunk of await client.chat.completions.create(streamed, { headers: on })) void _chunk;
      })(),
    ).rejects.toThrow();
    const again = await client.chat.completions.create(streamed, { headers: on }).withResponse();
    for await (const _chunk of again.data) void _chunk;
    expect(again.response.headers.get('x-gateway-cache')).toBe('miss');
  });
});

describe('limits', () => {
  test("a hit counts as a request for the key's RPM", async () => {
    const limited = await createKey(gw, { rpmLimit: 2 });
    const client = openaiClient(gw, limited.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('rpm')) };
    await client.chat.completions.create(body, { headers: on });
    await gw.services.caches.responses.settled();
    const hit = await client.chat.completions.create(body, { headers: on }).withResponse();
    expect(hit.response.headers.get('x-gateway-cache')).toBe('hit');
    await expect(client.chat.completions.create(body, { headers: on })).rejects.toMatchObject({ status: 429 });
  });
});

describe('the request log', () => {
  test('marks hits and misses with the entry key; a hit costs nothing and reports what it saved', async () => {
    const own = await createKey(gw);
    const client = openaiClient(gw, own.key);
    const body = { model: 'm-openai-chat', messages: userTurn(fresh('logged')) };
    await client.chat.completions.create(body, { headers: on });
    await gw.services.caches.responses.settled();
    await client.chat.completions.create(body, { headers: on });
    await client.chat.completions.create(body, { headers: { ...on, 'x-gateway-cache': 'no-store' } });
    const rows = await logRows(gw, own.id);
    expect(rows.map((r) => r.cache)).toEqual(['miss', 'hit', 'bypass']);
    const [miss, hit, bypass] = rows;
    expect(miss.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(hit.cacheKey).toBe(miss.cacheKey);
    expect(bypass.cacheKey).toBeNull();
    expect(miss.costUsd).toBeCloseTo(MOCK_COST, 10);
    expect(hit).toMatchObject({ status: 200, costUsd: 0, inputTokens: 12, outputTokens: 8 });
    expect(hit.costSavedUsd).toBeCloseTo(MOCK_COST, 10);
    // usageSummary adds them up.
    const { usageSummary } = await gw.admin<{ usageSummary: { total: { requests: number; cacheHits: number; costSavedUsd: number; costUsd: number } } }>(
      'query($f: DateTime!, $t: DateTime!, $k: ID){ usageSummary(from: $f, to: $t, groupBy: MODEL, keyId: $k) { total { requests cacheHits costSavedUsd costUsd } } }',
      {
        f: new Date(Date.now() - 3_600_000).toISOString(),
        t: new Date(Date.now() + 60_000).toISOString(),
        k: own.id,
      },
    );
    expect(usageSummary.total).toMatchObject({ requests: 3, cacheHits: 1 });
    expect(usageSummary.total.costSavedUsd).toBeCloseTo(MOCK_COST, 10);
    expect(usageSummary.total.costUsd).toBeCloseTo(2 * MOCK_COST, 10);
  });

  test('Prometheus counts hits, misses, bypasses and stored bytes', async () => {
    const text = await gw.services.metrics.registry.metrics();
    expect(text).toMatch(/gateway_cache_requests_total\{model="m-openai-chat",outcome="hit"\} [1-9]/);
    expect(text).toMatch(/gateway_cache_requests_total\{model="m-openai-chat",outcome="miss"\} [1-9]/);
    expect(text).toMatch(/gateway_cache_requests_total\{model="m-openai-chat",outcome="bypass"\} [1-9]/);
    expect(text).toMatch(/gateway_cache_stored_bytes_total [1-9]/);
    expect(text).toMatch(/gateway_cache_saved_usd_total\{model="m-openai-chat"\} 0\.[0-9]*[1-9]/);
  });
});
