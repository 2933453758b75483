/**
 * A client that goes away mid-stream must not leave the upstream generating:
 * the gateway closes the upstream request, which the mock counts as aborted.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, anthropicClient, createKey, modelFor, openaiClient, UPSTREAM_KINDS, type UpstreamKind } from '../support/proxy-fixture.js';
import { waitFor } from '../support/wait.js';

let gw: TestGateway;
let key: string;
const mocks = {} as Record<UpstreamKind, MockUpstream>;

beforeAll(async () => {
  gw = await startTestGateway();
  for (const kind of UPSTREAM_KINDS) mocks[kind] = (await addUpstream(gw, kind)).mock;
  key = (await createKey(gw)).key;
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

/** A long, slow answer: 80 chunks, 50 ms apart (about four seconds in all). */
const SLOW = { type: 'text' as const, text: 'word '.repeat(80), chunks: 80, chunkDelayMs: 50 };

type Api = 'chat' | 'responses' | 'messages';
const PATHS: Record<Api, string> = { chat: '/v1/chat/completions', responses: '/v1/responses', messages: '/v1/messages' };

function streamBody(api: Api, model: string): Record<string, unknown> {
  if (api === 'responses') return { model, input: 'tell me a long story', stream: true };
  if (api === 'messages') return { model, max_tokens: 500, messages: [{ role: 'user', content: 'tell me a long story' }], stream: true };
  return { model, messages: [{ role: 'user', content: 'tell me a long story' }], stream: true };
}

/** Streams with fetch until some answer text arrived, then cancels the reader. */
async function readThenCancel(api: Api, model: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${gw.url}${PATHS[api]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(streamBody(api, model)),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('word')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the stream ended before any text arrived');
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  controller.abort();
  return text;
}

const CASES: Array<{ api: Api; kind: UpstreamKind; label: string }> = [
  { api: 'chat', kind: 'openai-chat', label: 'passthrough' },
  { api: 'messages', kind: 'anthropic', label: 'passthrough' },
  { api: 'responses', kind: 'openai-responses', label: 'passthrough' },
  { api: 'chat', kind: 'anthropic', label: 'cross-format' },
  { api: 'messages', kind: 'gemini', label: 'cross-format' },
  { api: 'responses', kind: 'azure-openai', label: 'cross-format' },
];

describe('client abort mid-stream closes the upstream request', () => {
  test.each(CASES)('$api → $kind ($label), fetch reader cancelled', async ({ api, kind }) => {
    const mock = mocks[kind];
    const before = mock.aborted;
    mock.enqueue(SLOW);
    const started = Date.now();
    const partial = await readThenCancel(api, modelFor(kind));
    expect(partial).toContain('word');
    await waitFor(() => mock.aborted > before, { what: `${kind} mock to see the abort`, timeoutMs: 1500 });
    expect(mock.aborted).toBe(before + 1);
    // Well before the upstream would have finished on its own.
    expect(Date.now() - started).toBeLessThan(3500);
  });

  test('OpenAI SDK: AbortController on chat.completions.stream (cross-format to gemini)', async () => {
    const mock = mocks.gemini;
    const before = mock.aborted;
    mock.enqueue(SLOW);
    const controller = new AbortController();
    const stream = openaiClient(gw, key).chat.completions.stream(
      { model: modelFor('gemini'), messages: [{ role: 'user', content: 'long story' }] },
      { signal: controller.signal },
    );
    let seen = '';
    stream.on('content', (delta) => {
      seen += delta;
      controller.abort();
    });
    await expect(stream.finalChatCompletion()).rejects.toThrow();
    expect(seen).toContain('word');
    await waitFor(() => mock.aborted > before, { what: 'gemini mock to see the abort', timeoutMs: 1500 });
  });

  test('Anthropic SDK: stream.abort() on messages.stream (passthrough)', async () => {
    const mock = mocks.anthropic;
    const before = mock.aborted;
    mock.enqueue(SLOW);
    const stream = anthropicClient(gw, key).messages.stream({
      model: modelFor('anthropic'),
      max_tokens: 500,
      messages: [{ role: 'user', content: 'long story' }],
    });
    let seen = '';
    stream.on('text', (delta) => {
      seen += delta;
      stream.abort();
    });
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(seen).toContain('word');
    await waitFor(() => mock.aborted > before, { what: 'anthropic mock to see the abort', timeoutMs: 1500 });
  });

  test('a stream the client reads to the end is not counted as aborted', async () => {
    const mock = mocks['openai-chat'];
    const before = mock.aborted;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(streamBody('chat', modelFor('openai-chat'))),
    });
    expect(await res.text()).toContain('[DONE]');
    await new Promise((r) => setTimeout(r, 100));
    expect(mock.aborted).toBe(before);
  });
});
