/**
 * Every failure reaches the caller in its own API's error format with a
 * meaningful status: OpenAI `{error:{message,type,param,code}}` for chat
 * completions and responses, Anthropic `{type:'error',error:{type,message}}`
 * for messages. No error body ever carries a provider key or a virtual key.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import {
  addUpstream,
  closedPort,
  createKey,
  createModel,
  createProvider,
  modelFor,
  parseSse,
  postRaw,
  revokeKey,
  UPSTREAM_KEY,
  UPSTREAM_KINDS,
  type RawResponse,
  type UpstreamKind,
} from '../support/proxy-fixture.js';

const BAD_PROVIDER_KEY = 'wrong-key';

let gw: TestGateway;
let small: TestGateway;
const mocks = {} as Record<UpstreamKind, MockUpstream>;
const keys = { all: '', limited: '', revoked: '', expired: '', small: '' };
let expiresAt = 0;
/** Every error body the suite saw, checked for leaked secrets at the end. */
const seen: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  for (const kind of UPSTREAM_KINDS) {
    mocks[kind] = (await addUpstream(gw, kind)).mock;
    // Same upstream, but a provider key the upstream rejects.
    await addUpstream(gw, kind, { mock: mocks[kind], name: `bad-${kind}`, model: `bad-${kind}`, apiKey: BAD_PROVIDER_KEY });
  }
  const refused = await createProvider(gw, { name: 'refused', type: 'openai', baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });
  await createModel(gw, refused, 'refused', 'gpt-4o');
  const timeouts = { timeouts: { firstByteMs: 300 } };
  await addUpstream(gw, 'openai-chat', { mock: mocks['openai-chat'], name: 'slow-openai', model: 'slow-openai-chat', options: timeouts });
  await addUpstream(gw, 'anthropic', { mock: mocks.anthropic, name: 'slow-anthropic', model: 'slow-anthropic', options: timeouts });

  keys.all = (await createKey(gw)).key;
  keys.limited = (await createKey(gw, { allowedModels: ['m-anthropic'] })).key;
  const revoked = await createKey(gw);
  await revokeKey(gw, revoked.id);
  keys.revoked = revoked.key;
  expiresAt = Date.now() + 1200;
  keys.expired = (await createKey(gw, { expiresAt: new Date(expiresAt).toISOString() })).key;

  small = await startTestGateway({ MAX_BODY_BYTES: '2000' });
  await addUpstream(small, 'openai-chat', { mock: mocks['openai-chat'] });
  keys.small = (await createKey(small)).key;
});

afterAll(async () => {
  await gw?.stop();
  await small?.stop();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

// ---------------------------------------------------------------- the three client formats

interface Client {
  api: 'chat' | 'responses' | 'messages';
  path: string;
  shape: 'openai' | 'anthropic';
  body(model: string, extra?: Record<string, unknown>): Record<string, unknown>;
  headers(key: string | undefined): Record<string, string>;
  /** A body without the main required field, and its name. */
  missing: { field: string; body: Record<string, unknown> };
  /** A body with a field of the wrong type, and its name. */
  wrongType: { field: string; body: Record<string, unknown> };
}

const CLIENTS: Client[] = [
  {
    api: 'chat',
    path: '/v1/chat/completions',
    shape: 'openai',
    body: (model, extra = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
    headers: (key): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {}),
    missing: { field: 'messages', body: { model: 'm-openai-chat' } },
    wrongType: { field: 'messages', body: { model: 'm-openai-chat', messages: 'hi' } },
  },
  {
    api: 'responses',
    path: '/v1/responses',
    shape: 'openai',
    body: (model, extra = {}) => ({ model, input: 'hi', ...extra }),
    headers: (key): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {}),
    missing: { field: 'input', body: { model: 'm-openai-chat' } },
    wrongType: { field: 'temperature', body: { model: 'm-openai-chat', input: 'hi', temperature: 'warm' } },
  },
  {
    api: 'messages',
    path: '/v1/messages',
    shape: 'anthropic',
    body: (model, extra = {}) => ({ model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], ...extra }),
    headers: (key) => ({ 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) }),
    missing: { field: 'messages', body: { model: 'm-openai-chat', max_tokens: 64 } },
    wrongType: { field: 'max_tokens', body: { model: 'm-openai-chat', max_tokens: 'many', messages: [{ role: 'user', content: 'hi' }] } },
  },
];

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  504: 'timeout_error',
};

async function call(c: Client, body: unknown, key: string | null = keys.all, on: TestGateway = gw): Promise<RawResponse> {
  const res = await postRaw(on, c.path, body, c.headers(key ?? undefined));
  seen.push(res.text);
  return res;
}

/** Checks status and the client format's error shape; returns the message. */
function expectError(c: Client, res: RawResponse, status: number): string {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  if (c.shape === 'openai') {
    expect(Object.keys(res.json)).toEqual(['error']);
    expect(Object.keys(res.json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(typeof res.json.error.type).toBe('string');
    expect(typeof res.json.error.message).toBe('string');
    return res.json.error.message;
  }
  expect(res.json).toEqual({ type: 'error', error: { type: ANTHROPIC_TYPES[status], message: expect.any(String) } });
  return res.json.error.message;
}

/** The upstream's own error body, carrying `message`. */
function upstreamErrorBody(kind: UpstreamKind, status: number, message: string): unknown {
  if (kind === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } };
  if (kind === 'gemini') return { error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'INTERNAL' } };
  return { error: { message, type: status === 400 ? 'invalid_request_error' : 'server_error', param: null, code: null } };
}

// ---------------------------------------------------------------- request problems

describe.each(CLIENTS)('$api client: bad requests', (c) => {
  test('malformed JSON → 400', async () => {
    const message = expectError(c, await call(c, '{"model": "m-openai-chat", "messages": ['), 400);
    expect(message).toMatch(/JSON/);
  });

  test('a body that is not an object → 400', async () => {
    expectError(c, await call(c, '[1,2,3]'), 400);
  });

  test('missing required field → 400 naming it', async () => {
    const res = await call(c, c.missing.body);
    const message = expectError(c, res, 400);
    expect(message).toContain(c.missing.field);
    if (c.shape === 'openai') expect(res.json.error.param).toBe(c.missing.field);
  });

  test('wrong type → 400 naming the field', async () => {
    const res = await call(c, c.wrongType.body);
    const message = expectError(c, res, 400);
    expect(message).toContain(c.wrongType.field);
    if (c.shape === 'openai') expect(res.json.error.param).toBe(c.wrongType.field);
  });

  test('unknown model → 404', async () => {
    const res = await call(c, c.body('no-such-model'));
    const message = expectError(c, res, 404);
    expect(message).toContain('no-such-model');
    if (c.shape === 'openai') expect(res.json.error.code).toBe('model_not_found');
  });

  test('oversized body → 413 (MAX_BODY_BYTES=2000)', async () => {
    const big = c.body('m-openai-chat');
    const res = await call(c, { ...big, metadata: { note: 'x'.repeat(3000) } }, keys.small, small);
    expectError(c, res, 413);
    // The same gateway takes a small body.
    const ok = await call(c, c.body('m-openai-chat'), keys.small, small);
    expect(ok.status).toBe(200);
  });
});

describe('responses: previous_response_id', () => {
  test("an id the gateway never stored → OpenAI's 400 naming the field, nothing sent upstream", async () => {
    const c = CLIENTS[1];
    const before = mocks['openai-responses'].requests.length;
    const res = await call(c, c.body('m-openai-responses', { previous_response_id: 'resp_123' }));
    const message = expectError(c, res, 400);
    expect(message).toBe("Previous response with id 'resp_123' not found.");
    expect(res.json.error.param).toBe('previous_response_id');
    expect(res.json.error.code).toBe('previous_response_not_found');
    expect(mocks['openai-responses'].requests.length).toBe(before);
  });
});

// ---------------------------------------------------------------- keys

describe.each(CLIENTS)('$api client: virtual keys', (c) => {
  test('missing key → 401', async () => {
    expectError(c, await call(c, c.body('m-openai-chat'), null), 401);
  });

  test('wrong key → 401, without echoing it', async () => {
    const wrong = 'sk-gw-thisIsNotAValidKeyAtAll0123456789abcdefgh';
    const res = await call(c, c.body('m-openai-chat'), wrong);
    expectError(c, res, 401);
    expect(res.text).not.toContain(wrong);
  });

  test('the key as the other header style works too', async () => {
    const other: Record<string, string> =
      c.shape === 'openai' ? { 'x-api-key': keys.all } : { authorization: `Bearer ${keys.all}`, 'anthropic-version': '2023-06-01' };
    const res = await postRaw(gw, c.path, c.body('m-openai-chat'), other);
    expect(res.status).toBe(200);
  });

  test('revoked key → 401', async () => {
    const message = expectError(c, await call(c, c.body('m-openai-chat'), keys.revoked), 401);
    expect(message).toMatch(/revoked/i);
  });

  test('expired key → 401', async () => {
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt + 50 - Date.now())));
    const message = expectError(c, await call(c, c.body('m-openai-chat'), keys.expired), 401);
    expect(message).toMatch(/expired/i);
  });

  test('key not allowed for the model → 403; allowed model works', async () => {
    const message = expectError(c, await call(c, c.body('m-openai-chat'), keys.limited), 403);
    expect(message).toContain('m-openai-chat');
    const ok = await call(c, c.body('m-anthropic'), keys.limited);
    expect(ok.status).toBe(200);
  });
});

// ---------------------------------------------------------------- upstream failures

const CLIENT_BY_UPSTREAM = CLIENTS.flatMap((c) => UPSTREAM_KINDS.map((kind) => ({ c, api: c.api, kind })));

describe.each(CLIENT_BY_UPSTREAM)('$api client → $kind upstream errors', ({ c, kind }) => {
  test('upstream 400 → 400 with the upstream message (credentials scrubbed)', async () => {
    mocks[kind].enqueue({
      type: 'error',
      status: 400,
      body: upstreamErrorBody(kind, 400, `temperature_x is not supported (request signed with ${UPSTREAM_KEY})`),
    });
    const res = await call(c, c.body(modelFor(kind)));
    const message = expectError(c, res, 400);
    expect(message).toContain('temperature_x is not supported');
    expect(res.text).not.toContain(UPSTREAM_KEY);
  });

  test('upstream 401 → 502 about the provider credentials, without the key', async () => {
    const res = await call(c, c.body(`bad-${kind}`));
    const message = expectError(c, res, 502);
    expect(message).toMatch(/credentials/i);
    expect(message).toContain(`bad-${kind}`);
    expect(res.text).not.toContain(BAD_PROVIDER_KEY);
    expect(res.text).not.toContain(UPSTREAM_KEY);
    // It reached the upstream with the configured (wrong) key.
    const auth = mocks[kind].requests.at(-1)!.headers;
    expect(JSON.stringify(auth)).toContain(BAD_PROVIDER_KEY);
  });

  test('upstream 429 → 429 with retry-after', async () => {
    mocks[kind].enqueue({ type: 'error', status: 429, body: upstreamErrorBody(kind, 429, 'slow down'), headers: { 'retry-after': '7' } });
    const res = await call(c, c.body(modelFor(kind)));
    const message = expectError(c, res, 429);
    expect(message).toContain('slow down');
    expect(res.headers.get('retry-after')).toBe('7');
  });

  test('upstream 500 → 500', async () => {
    mocks[kind].enqueue({ type: 'error', status: 500, body: upstreamErrorBody(kind, 500, `exploded near ${UPSTREAM_KEY}`) });
    const res = await call(c, c.body(modelFor(kind)));
    const message = expectError(c, res, 500);
    expect(message).toContain('exploded');
    expect(res.text).not.toContain(UPSTREAM_KEY);
  });

  test('upstream drops a whole (non-streamed) answer halfway → 502', async () => {
    mocks[kind].enqueue({ type: 'drop_mid_stream', text: 'a fairly long answer that will be cut' });
    expectError(c, await call(c, c.body(modelFor(kind))), 502);
  });

  test('upstream drops mid-stream → partial text, then an in-stream error in the client format', async () => {
    const full = 'The quick brown fox jumps over the lazy dog';
    mocks[kind].enqueue({ type: 'drop_mid_stream', text: full });
    const res = await call(c, c.body(modelFor(kind), { stream: true }));
    expect(res.status).toBe(200);
    const events = parseSse(res.text);
    let text = '';
    let errorAt = -1;
    events.forEach((e, i) => {
      const d = e.data;
      if (c.api === 'chat') {
        text += d?.choices?.[0]?.delta?.content ?? '';
        if (d?.error && errorAt < 0) errorAt = i;
      } else if (c.api === 'responses') {
        if (d?.type === 'response.output_text.delta') text += d.delta;
        if (e.event === 'response.failed' && errorAt < 0) errorAt = i;
      } else {
        if (d?.type === 'content_block_delta' && d.delta.type === 'text_delta') text += d.delta.text;
        if (e.event === 'error' && errorAt < 0) errorAt = i;
      }
    });
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(full.length);
    expect(full.startsWith(text)).toBe(true);
    expect(errorAt, res.text).toBeGreaterThan(0);
    // The error is the last word: nothing claims a normal end after it, or at all.
    expect(errorAt).toBe(events.length - 1);
    const last = events[errorAt].data;
    if (c.api === 'chat') {
      expect(Object.keys(last.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(res.text).not.toContain('[DONE]');
    } else if (c.api === 'responses') {
      expect(last.type).toBe('response.failed');
      expect(last.response.status).toBe('failed');
      expect(typeof last.response.error.message).toBe('string');
      // One response, numbered without gaps or repeats.
      expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
      expect(last.response.id).toBe(events[0].data.response.id);
      expect(res.text).not.toContain('response.completed');
    } else {
      expect(last).toEqual({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
      expect(res.text).not.toContain('message_stop');
    }
  });
});

describe.each(CLIENTS)('$api client: transport failures', (c) => {
  test('connection refused → 502', async () => {
    const message = expectError(c, await call(c, c.body('refused')), 502);
    expect(message).toContain('refused');
  });

  test.each(['slow-openai-chat', 'slow-anthropic'])('upstream hang with firstByteMs 300 (%s) → 504', async (model) => {
    const mock = model === 'slow-anthropic' ? mocks.anthropic : mocks['openai-chat'];
    mock.enqueue({ type: 'hang' });
    const started = Date.now();
    expectError(c, await call(c, c.body(model)), 504);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5000);
  });
});

describe('secrets', () => {
  test('no error body ever contained a provider key or a virtual key', () => {
    expect(seen.length).toBeGreaterThan(100);
    const secrets = [UPSTREAM_KEY, BAD_PROVIDER_KEY, ...Object.values(keys)];
    for (const text of seen.filter((t) => /"error"/.test(t))) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
