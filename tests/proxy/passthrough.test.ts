/**
 * Same format in and out: the client's body goes upstream with only the fields
 * the gateway owns changed (model; usage reporting on chat streams), and the
 * upstream's answer comes back untouched, so unknown and future fields survive
 * in both directions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import {
  addUpstream,
  createKey,
  createModel,
  createProvider,
  lastRequest,
  parseSse,
  postRaw,
  startCustomUpstream,
  UPSTREAMS,
  type CustomUpstream,
} from '../support/proxy-fixture.js';

const FUTURE = { shape: 'from-the-future', n: 42 };

/** An upstream speaking all three native formats, adding fields no gateway version knows. */
function futureUpstream(req: IncomingMessage, body: any, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  const sse = (frames: Array<{ event?: string; data: unknown }>) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const f of frames) res.write(`${f.event ? `event: ${f.event}\n` : ''}data: ${typeof f.data === 'string' ? f.data : JSON.stringify(f.data)}\n\n`);
    res.end();
  };
  const json = (value: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const created = Math.floor(Date.now() / 1000);

  if (path === '/v1/chat/completions') {
    const base = { id: 'chatcmpl-future', object: 'chat.completion.chunk', created, model: body.model };
    if (!body.stream) {
      return json({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'future text', x_message_field: FUTURE }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        x_future_field: FUTURE,
      });
    }
    const frames: Array<{ data: unknown }> = [
      { data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'future ' }, finish_reason: null }], x_future_field: FUTURE } },
      { data: { ...base, choices: [{ index: 0, delta: { content: 'text' }, finish_reason: null }] } },
      { data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } },
    ];
    if (body.stream_options?.include_usage) frames.push({ data: { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } } });
    frames.push({ data: '[DONE]' });
    return sse(frames);
  }

  if (path === '/v1/responses') {
    const message = {
      id: 'msg_future',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'future text', annotations: [] }],
    };
    const response = (status: string, output: unknown[]) => ({
      id: 'resp_future',
      object: 'response',
      created_at: created,
      status,
      model: body.model,
      output,
      usage: status === 'completed' ? { input_tokens: 3, output_tokens: 2, total_tokens: 5 } : null,
      x_future_field: FUTURE,
    });
    if (!body.stream) return json(response('completed', [message]));
    let seq = 0;
    const ev = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: seq++, ...data } });
    return sse([
      ev('response.created', { response: response('in_progress', []) }),
      ev('response.future_event', { x_future_field: FUTURE }),
      ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
      ev('response.content_part.added', { item_id: 'msg_future', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      ev('response.output_text.delta', { item_id: 'msg_future', output_index: 0, content_index: 0, delta: 'future text', x_future_field: FUTURE }),
      ev('response.output_text.done', { item_id: 'msg_future', output_index: 0, content_index: 0, text: 'future text' }),
      ev('response.content_part.done', { item_id: 'msg_future', output_index: 0, content_index: 0, part: message.content[0] }),
      ev('response.output_item.done', { output_index: 0, item: message }),
      ev('response.completed', { response: response('completed', [message]) }),
    ]);
  }

  if (path === '/v1/messages') {
    const message = { id: 'msg_future', type: 'message', role: 'assistant', model: body.model, stop_sequence: null };
    if (!body.stream) {
      return json({
        ...message,
        content: [{ type: 'text', text: 'future text' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 3, output_tokens: 2 },
        x_future_field: FUTURE,
      });
    }
    const ev = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, ...data } });
    return sse([
      ev('message_start', { message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } }),
      ev('future_event', { x_future_field: FUTURE }),
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'future text' }, x_future_field: FUTURE }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
      ev('message_stop', {}),
    ]);
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":{"message":"not found"}}');
}

let gw: TestGateway;
let key: string;
let future: CustomUpstream;
const mocks: Record<string, MockUpstream> = {};
const auth = () => ({ authorization: `Bearer ${key}` });
const anthropicHeaders = () => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' });

beforeAll(async () => {
  gw = await startTestGateway();
  future = await startCustomUpstream(futureUpstream);
  const chatP = await createProvider(gw, { name: 'future-chat', type: 'openai', baseUrl: `${future.url}/v1` });
  const respP = await createProvider(gw, { name: 'future-responses', type: 'openai-responses', baseUrl: `${future.url}/v1` });
  const antP = await createProvider(gw, { name: 'future-anthropic', type: 'anthropic', baseUrl: future.url });
  await createModel(gw, chatP, 'future-chat', 'upstream-chat-id');
  await createModel(gw, respP, 'future-responses', 'upstream-responses-id');
  await createModel(gw, antP, 'future-anthropic', 'upstream-anthropic-id');
  mocks.chat = (await addUpstream(gw, 'openai-chat')).mock;
  mocks.responses = (await addUpstream(gw, 'openai-responses')).mock;
  mocks.anthropic = (await addUpstream(gw, 'anthropic')).mock;
  key = (await createKey(gw)).key;
});

afterAll(async () => {
  await gw?.stop();
  await future?.close();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

interface Case {
  name: string;
  path: string;
  model: string;
  upstreamModel: string;
  headers: () => Record<string, string>;
  body: Record<string, unknown>;
  /** The text of a streamed answer, from the client's SSE events. */
  streamText(events: Array<{ event?: string; data: any }>): string;
  jsonText(json: any): string;
}

const CASES: Case[] = [
  {
    name: 'chat completions → openai-chat',
    path: '/v1/chat/completions',
    model: 'future-chat',
    upstreamModel: 'upstream-chat-id',
    headers: auth,
    body: { messages: [{ role: 'user', content: 'hi' }] },
    streamText: (events) => events.map((e) => e.data?.choices?.[0]?.delta?.content ?? '').join(''),
    jsonText: (json) => json.choices[0].message.content,
  },
  {
    name: 'responses → openai-responses',
    path: '/v1/responses',
    model: 'future-responses',
    upstreamModel: 'upstream-responses-id',
    headers: auth,
    body: { input: 'hi' },
    streamText: (events) =>
      events
        .filter((e) => e.data?.type === 'response.output_text.delta')
        .map((e) => e.data.delta)
        .join(''),
    jsonText: (json) => json.output[0].content[0].text,
  },
  {
    name: 'messages → anthropic',
    path: '/v1/messages',
    model: 'future-anthropic',
    upstreamModel: 'upstream-anthropic-id',
    headers: anthropicHeaders,
    body: { max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
    streamText: (events) =>
      events
        .filter((e) => e.data?.type === 'content_block_delta')
        .map((e) => e.data.delta.text)
        .join(''),
    jsonText: (json) => json.content[0].text,
  },
];

describe.each(CASES)('$name', (c) => {
  test('an unknown request field reaches the upstream; the model is rewritten to the upstream id', async () => {
    const res = await postRaw(gw, c.path, { model: c.model, ...c.body, x_future_request: FUTURE }, c.headers());
    expect(res.status).toBe(200);
    const received = future.requests.at(-1)!;
    expect(received.body.x_future_request).toEqual(FUTURE);
    expect(received.body.model).toBe(c.upstreamModel);
  });

  test('an unknown response field reaches the client (whole answer)', async () => {
    const res = await postRaw(gw, c.path, { model: c.model, ...c.body }, c.headers());
    expect(res.status).toBe(200);
    expect(c.jsonText(res.json)).toBe('future text');
    expect(res.json.x_future_field).toEqual(FUTURE);
    if (c.path === '/v1/chat/completions') expect(res.json.choices[0].message.x_message_field).toEqual(FUTURE);
  });

  test('unknown stream fields and events reach the client', async () => {
    const res = await postRaw(gw, c.path, { model: c.model, ...c.body, stream: true }, c.headers());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(res.text);
    expect(c.streamText(events)).toBe('future text');
    const withFuture = events.filter((e) => JSON.stringify(e.data?.x_future_field) === JSON.stringify(FUTURE));
    expect(withFuture.length).toBeGreaterThanOrEqual(c.path === '/v1/chat/completions' ? 1 : 2);
    expect(future.requests.at(-1)!.body.model).toBe(c.upstreamModel);
  });
});

describe('passthrough against the format mocks', () => {
  test('chat: a field the gateway does not model reaches OpenAI; the model is rewritten', async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: [{ role: 'user', content: 'hi' }], prediction: { type: 'content', content: 'hi' }, service_tier: 'flex' },
      auth(),
    );
    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe('Hello from openai-chat: hi');
    // The answer is OpenAI's, byte for byte: fields the gateway never sets survive.
    expect(res.json.system_fingerprint).toBe('fp_mock');
    expect(res.json.service_tier).toBe('default');
    const received = lastRequest(mocks.chat).body;
    expect(received.model).toBe(UPSTREAMS['openai-chat'].upstreamModel);
    expect(received.prediction).toEqual({ type: 'content', content: 'hi' });
    expect(received.service_tier).toBe('flex');
  });

  test('chat stream without stream_options: the gateway asks for usage but the client gets no usage chunk', async () => {
    const res = await postRaw(gw, '/v1/chat/completions', { model: 'm-openai-chat', messages: [{ role: 'user', content: 'count' }], stream: true }, auth());
    expect(res.status).toBe(200);
    expect(lastRequest(mocks.chat).body.stream_options).toEqual({ include_usage: true });
    const events = parseSse(res.text);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.data);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Hello from openai-chat: count');
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(res.text).not.toMatch(/"prompt_tokens"/);
  });

  test('chat stream with include_usage: the client gets the usage chunk', async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true } },
      auth(),
    );
    const chunks = parseSse(res.text)
      .slice(0, -1)
      .map((e) => e.data);
    const usage = chunks.filter((c) => c.choices.length === 0);
    expect(usage).toHaveLength(1);
    expect(usage[0].usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 8 });
  });

  test('messages: an unknown field and anthropic-beta reach Anthropic', async () => {
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: 'm-anthropic', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], x_future_request: FUTURE },
      { ...anthropicHeaders(), 'anthropic-beta': 'future-feature-2030-01-01' },
    );
    expect(res.status).toBe(200);
    expect(res.json.content[0].text).toBe('Hello from anthropic: hi');
    const received = lastRequest(mocks.anthropic);
    expect(received.body.x_future_request).toEqual(FUTURE);
    expect(received.body.model).toBe(UPSTREAMS.anthropic.upstreamModel);
    expect(received.headers['anthropic-beta']).toBe('future-feature-2030-01-01');
    expect(received.headers['x-api-key']).toBe('upstream-secret-key');
  });

  test('responses: a field the gateway does not model reaches OpenAI; the model is rewritten', async () => {
    const res = await postRaw(gw, '/v1/responses', { model: 'm-openai-responses', input: 'hi', truncation: 'auto', prompt_cache_key: 'pck-1' }, auth());
    expect(res.status).toBe(200);
    expect(res.json.output_text ?? res.json.output[0].content[0].text).toBe('Hello from openai-responses: hi');
    const received = lastRequest(mocks.responses).body;
    expect(received.model).toBe(UPSTREAMS['openai-responses'].upstreamModel);
    expect(received.truncation).toBe('auto');
    expect(received.prompt_cache_key).toBe('pck-1');
  });
});
