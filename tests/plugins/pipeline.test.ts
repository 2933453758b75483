/**
 * The proxy pipeline's plugin contract, exercised through a real gateway with
 * real SDK clients and loopback mock upstreams: the hooks run in their order,
 * a plugin can answer without an upstream call in every client format (whole
 * and streamed), refuse in the caller's format, change the wire body and the
 * answer, and keep whole answers of streams; each request still gets exactly
 * one log row.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GatewayError } from '../../server/core/error.js';
import type { CanonicalResponse } from '../../server/core/response.js';
import type { ProxyPlugin } from '../../server/proxy/pipeline/plugin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, anthropicClient, createKey, openaiClient, postRaw, parseSse } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

/** What the test plugin saw and what it is told to do, per request (by the request's first user text). */
const seen: string[] = [];
const completed: Array<{ response?: CanonicalResponse; failed: boolean }> = [];

const canned = (text: string): CanonicalResponse => ({
  id: 'canned-1',
  model: 'canned-model',
  created: 1_700_000_000,
  content: [{ type: 'text', text }],
  finishReason: 'stop',
  usage: { inputTokens: 3, outputTokens: 2 },
});

function firstUserText(request: { messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> }): string {
  const user = request.messages.find((m) => m.role === 'user');
  return user?.content.find((p) => p.type === 'text')?.text ?? '';
}

const probe: ProxyPlugin = {
  name: 'probe',
  request(ctx) {
    if (ctx.req.headers['x-probe'] === undefined) return undefined;
    seen.push('request');
    let command = '';
    return {
      onBody(body) {
        seen.push('onBody');
        // The decoder never sees this field; the passthrough body still has it.
        if ('probe_only' in body) {
          const { probe_only: _dropped, ...rest } = body;
          return rest;
        }
      },
      onResolved(gen) {
        seen.push('onResolved');
        command = firstUserText(gen.request);
        if (command === 'refuse') throw new GatewayError({ status: 400, kind: 'invalid_request', message: 'refused by the probe plugin' });
        if (command === 'canned') return { response: canned('from the plugin'), headers: { 'x-probe-answer': 'yes' } };
        if (command === 'keep') gen.keepResponse = true;
      },
      onPrepareUpstream(up) {
        seen.push('onPrepareUpstream');
        up.headers['x-probe-header'] = 'on';
        if (command === 'edit') {
          // The client's body still has the field onBody hid from the decoder; the wire body drops it.
          const body = up.edit();
          seen.push(`client body kept probe_only: ${String(body.probe_only)}`);
          delete body.probe_only;
          body.seed = 42;
        }
        if (command === 'shout') {
          up.translateAnswer = true;
          return {
            onEvent: (event) => (event.type === 'text-delta' ? [{ ...event, text: event.text.toUpperCase() }] : undefined),
            onResponse: (response) => ({ ...response, content: response.content.map((p) => (p.type === 'text' ? { ...p, text: p.text.toUpperCase() } : p)) }),
          };
        }
      },
      onComplete(_ctx, outcome) {
        seen.push('onComplete');
        completed.push({ response: outcome.response, failed: outcome.failure !== undefined });
        if (command === 'explode') throw new Error('a plugin failing at the end');
      },
    };
  },
};

let gw: TestGateway;
let chat: MockUpstream;
let anthropic: MockUpstream;
let key: string;
const probeHeaders = { 'x-probe': '1' };

beforeAll(async () => {
  gw = await startTestGateway({}, undefined, { plugins: (builtIn) => [...builtIn, probe] });
  ({ mock: chat } = await addUpstream(gw, 'openai-chat'));
  ({ mock: anthropic } = await addUpstream(gw, 'anthropic'));
  key = (await createKey(gw)).key;
});

afterAll(async () => {
  await gw?.stop();
  await chat?.close();
  await anthropic?.close();
});

async function logRowsOf(keyId: string) {
  await gw.services.requestLogs.flush();
  return gw.services.db.requestLog.findMany({ where: { virtualKeyId: keyId } });
}

const userTurn = (text: string) => [{ role: 'user' as const, content: text }];

describe('hook order', () => {
  test('request → onBody → onResolved → onPrepareUpstream → onComplete, once each for one attempt', async () => {
    seen.length = 0;
    const client = openaiClient(gw, key);
    await client.chat.completions.create({ model: 'm-openai-chat', messages: userTurn('hello') }, { headers: probeHeaders });
    expect(seen).toEqual(['request', 'onBody', 'onResolved', 'onPrepareUpstream', 'onComplete']);
    expect(chat.requests.at(-1)!.headers['x-probe-header']).toBe('on');
  });

  test('a plugin that has no part in a request is not called again for it', async () => {
    seen.length = 0;
    await openaiClient(gw, key).chat.completions.create({ model: 'm-openai-chat', messages: userTurn('hello') });
    expect(seen).toEqual([]);
    expect(chat.requests.at(-1)!.headers['x-probe-header']).toBeUndefined();
  });
});

describe('a plugin answer is served without an upstream call, in the client format', () => {
  test('Chat Completions, whole and streamed', async () => {
    const before = chat.requests.length;
    const client = openaiClient(gw, key);
    const whole = await client.chat.completions.create({ model: 'm-openai-chat', messages: userTurn('canned') }, { headers: probeHeaders }).withResponse();
    expect(whole.data.choices[0].message.content).toBe('from the plugin');
    expect(whole.data.usage?.prompt_tokens).toBe(3);
    expect(whole.response.headers.get('x-probe-answer')).toBe('yes');
    const stream = await client.chat.completions.create(
      { model: 'm-openai-chat', messages: userTurn('canned'), stream: true, stream_options: { include_usage: true } },
      { headers: probeHeaders },
    );
    let text = '';
    let usage: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage.completion_tokens;
    }
    expect(text).toBe('from the plugin');
    expect(usage).toBe(2);
    expect(chat.requests.length).toBe(before);
  });

  test('Responses, whole and streamed', async () => {
    const client = openaiClient(gw, key);
    const whole = await client.responses.create({ model: 'm-openai-chat', input: 'canned' }, { headers: probeHeaders });
    expect(whole.output_text).toBe('from the plugin');
    const stream = await client.responses.create({ model: 'm-openai-chat', input: 'canned', stream: true }, { headers: probeHeaders });
    let text = '';
    let status: string | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') status = event.response.status;
    }
    expect(text).toBe('from the plugin');
    expect(status).toBe('completed');
  });

  test('Messages, whole and streamed', async () => {
    const before = anthropic.requests.length;
    const client = anthropicClient(gw, key);
    const whole = await client.messages.create({ model: 'm-anthropic', max_tokens: 50, messages: userTurn('canned') }, { headers: probeHeaders });
    expect(whole.content[0]).toMatchObject({ type: 'text', text: 'from the plugin' });
    const stream = client.messages.stream({ model: 'm-anthropic', max_tokens: 50, messages: userTurn('canned') }, { headers: probeHeaders });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'from the plugin' });
    expect(final.usage.output_tokens).toBe(2);
    expect(anthropic.requests.length).toBe(before);
  });
});

describe('refusing, changing the request and the answer', () => {
  test('a GatewayError thrown in onResolved reaches each client in its own format, with no upstream call', async () => {
    const before = chat.requests.length;
    const openai = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: userTurn('refuse') },
      { authorization: `Bearer ${key}`, ...probeHeaders },
    );
    expect(openai.status).toBe(400);
    expect(openai.json.error.message).toBe('refused by the probe plugin');
    const messages = await postRaw(
      gw,
      '/v1/messages',
      { model: 'm-anthropic', max_tokens: 5, messages: userTurn('refuse') },
      { 'x-api-key': key, ...probeHeaders },
    );
    expect(messages.status).toBe(400);
    expect(messages.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'refused by the probe plugin' } });
    expect(chat.requests.length).toBe(before);
  });

  test('onBody hides a field from the decoder while the passthrough body keeps every other field', async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: userTurn('edit'), probe_only: true, user: 'end-user-7' },
      { authorization: `Bearer ${key}`, ...probeHeaders },
    );
    expect(res.status, res.text).toBe(200);
    const sent = chat.requests.at(-1)!.body;
    expect(sent.seed).toBe(42);
    expect(sent.probe_only).toBeUndefined();
    expect(sent.user).toBe('end-user-7');
    expect(seen).toContain('client body kept probe_only: true');
    expect(sent.model).toBe('gpt-4o');
  });

  test('translateAnswer lets event and response hooks change a same-format answer, streamed and whole', async () => {
    const client = openaiClient(gw, key);
    chat.enqueue({ type: 'text', text: 'quiet words' }, { type: 'text', text: 'quiet words' });
    const whole = await client.chat.completions.create({ model: 'm-openai-chat', messages: userTurn('shout') }, { headers: probeHeaders });
    expect(whole.choices[0].message.content).toBe('QUIET WORDS');
    const stream = await client.chat.completions.create({ model: 'm-openai-chat', messages: userTurn('shout'), stream: true }, { headers: probeHeaders });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('QUIET WORDS');
  });
});

describe('the end of a request', () => {
  test('keepResponse gives onComplete the whole answer of a stream; without it a stream has none', async () => {
    completed.length = 0;
    chat.enqueue({ type: 'text', text: 'kept answer' });
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: userTurn('keep'), stream: true },
      { authorization: `Bearer ${key}`, ...probeHeaders },
    );
    expect(parseSse(res.text).length).toBeGreaterThan(1);
    expect(completed.at(-1)!.response?.content).toEqual([{ type: 'text', text: 'kept answer' }]);
    await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'm-openai-chat', messages: userTurn('hello'), stream: true },
      { authorization: `Bearer ${key}`, ...probeHeaders },
    );
    expect(completed.at(-1)!.response).toBeUndefined();
    // A whole answer is always at hand.
    await openaiClient(gw, key).chat.completions.create({ model: 'm-openai-chat', messages: userTurn('hello') }, { headers: probeHeaders });
    expect(completed.at(-1)!.response?.finishReason).toBe('stop');
  });

  test('every request, answered by a plugin, refused or failing in onComplete, gets exactly one log row', async () => {
    const own = await createKey(gw);
    const auth = { authorization: `Bearer ${own.key}`, ...probeHeaders };
    const results = await Promise.all([
      postRaw(gw, '/v1/chat/completions', { model: 'm-openai-chat', messages: userTurn('canned') }, auth),
      postRaw(gw, '/v1/chat/completions', { model: 'm-openai-chat', messages: userTurn('refuse') }, auth),
      postRaw(gw, '/v1/chat/completions', { model: 'm-openai-chat', messages: userTurn('explode') }, auth),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 400, 200]);
    const rows = await logRowsOf(own.id);
    expect(rows.map((r) => r.status).sort()).toEqual([200, 200, 400]);
    expect(completed.slice(-3).filter((c) => c.failed)).toHaveLength(1);
  });
});
