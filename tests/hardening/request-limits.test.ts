/**
 * Bounded parsing and work on the request side: JSON depth and element limits
 * on every /v1 endpoint (400 in the caller's format naming the limit, before
 * anything recursive sees the body), 413 by content-length before reading,
 * kept-alive connections that survive refusals, 408 for a body that trickles
 * in, bad percent-encoding in paths, and the local tokenizer bounded on text
 * it used to take seconds over.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, createKey, postRaw } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chunk, LAST_CHUNK, RawConnection, requestText } from './raw-http.js';

const MAX_BODY_BYTES = 256 * 1024;
const MAX_JSON_DEPTH = 40;
const MAX_JSON_ELEMENTS = 5000;
const BODY_TIMEOUT_MS = 800;

let gw: TestGateway;
let key: string;
let chat: MockUpstream;
let gemini: MockUpstream;

beforeAll(async () => {
  gw = await startTestGateway({
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MAX_JSON_DEPTH: String(MAX_JSON_DEPTH),
    MAX_JSON_ELEMENTS: String(MAX_JSON_ELEMENTS),
    REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  });
  ({ mock: chat } = await addUpstream(gw, 'openai-chat'));
  ({ mock: gemini } = await addUpstream(gw, 'gemini'));
  await gw.admin('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', {
    i: {
      providerId: (await gw.admin<{ providers: Array<{ id: string; name: string }> }>('{ providers { id name } }')).providers.find(
        (p) => p.name === 'p-gemini',
      )!.id,
      name: 'gemini-embed',
      upstreamModel: 'text-embedding-004',
    },
  });
  key = (await createKey(gw)).key;
});
afterAll(async () => {
  await gw?.stop();
  await chat?.close();
  await gemini?.close();
});

const auth = () => ({ authorization: `Bearer ${key}` });
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepSchema = (levels: number) => {
  let schema = '{"type":"string"}';
  for (let i = 0; i < levels; i++) schema = `{"type":"object","properties":{"a":${schema}}}`;
  return schema;
};

type Shape = 'openai' | 'anthropic';
const ENDPOINTS: Array<{ path: string; shape: Shape; body: (extra: string) => string }> = [
  { path: '/v1/chat/completions', shape: 'openai', body: (x) => `{"model":"m-openai-chat","messages":[{"role":"user","content":"hi"}],"metadata":${x}}` },
  { path: '/v1/responses', shape: 'openai', body: (x) => `{"model":"m-openai-chat","input":"hi","metadata":${x}}` },
  {
    path: '/v1/messages',
    shape: 'anthropic',
    body: (x) => `{"model":"m-openai-chat","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"metadata":${x}}`,
  },
  {
    path: '/v1/messages/count_tokens',
    shape: 'anthropic',
    body: (x) => `{"model":"m-openai-chat","messages":[{"role":"user","content":"hi"}],"metadata":${x}}`,
  },
  { path: '/v1/embeddings', shape: 'openai', body: (x) => `{"model":"m-openai-chat","input":"hi","extra":${x}}` },
];

function errorMessage(shape: Shape, json: any): string {
  if (shape === 'anthropic') {
    expect(json.type).toBe('error');
    expect(json.error.type).toBe('invalid_request_error');
    return json.error.message;
  }
  expect(json.error.type).toBe('invalid_request_error');
  return json.error.message;
}

describe('JSON limits, decided before parsing', () => {
  test.each(ENDPOINTS)('$path: nested deeper than MAX_JSON_DEPTH → 400 naming it', async ({ path, shape, body }) => {
    const res = await postRaw(gw, path, body(nested(5000)), auth());
    expect(res.status).toBe(400);
    expect(errorMessage(shape, res.json)).toContain('MAX_JSON_DEPTH');
  });

  test.each(ENDPOINTS)('$path: more elements than MAX_JSON_ELEMENTS → 400 naming it', async ({ path, shape, body }) => {
    const res = await postRaw(gw, path, body(`[${Array.from({ length: MAX_JSON_ELEMENTS + 10 }, () => '0').join(',')}]`), auth());
    expect(res.status).toBe(400);
    expect(errorMessage(shape, res.json)).toContain('MAX_JSON_ELEMENTS');
  });

  test('tool parameters nested 5,000 levels deep (once a 500 from JSON.stringify) → 400', async () => {
    const body = `{"model":"m-openai-chat","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepSchema(2500)}}}]}`;
    expect(body.length).toBeLessThan(MAX_BODY_BYTES * 2);
    const res = await postRaw(gw, '/v1/chat/completions', body, auth());
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('MAX_JSON_DEPTH');
  });

  test('a body just inside the limits is served', async () => {
    // body → tools → tool → function → 2 levels per schema level + the innermost schema: 37 of 40.
    const body = `{"model":"m-openai-chat","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deepSchema(16)}}}]}`;
    const res = await postRaw(gw, '/v1/chat/completions', body, auth());
    expect(res.status).toBe(200);
  });

  test('brackets inside strings do not count', async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      JSON.stringify({ model: 'm-openai-chat', messages: [{ role: 'user', content: '[{'.repeat(5000) }] }),
      auth(),
    );
    expect(res.status).toBe(200);
  });
});

describe('body size, arrival time and kept-alive connections', () => {
  test('a declared content-length over MAX_BODY_BYTES → 413 before any byte of the body is sent', async () => {
    const conn = await RawConnection.open(gw.url);
    try {
      conn.write(requestText('POST', '/v1/chat/completions', { ...auth(), 'content-type': 'application/json', 'content-length': 50 * 1024 * 1024 }));
      const res = await conn.response(2000);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.message).toContain('MAX_BODY_BYTES');
      // The rest will never be read: the connection is closed cleanly rather than kept.
      expect(res.headers.connection).toBe('close');
    } finally {
      conn.destroy();
    }
  });

  test('a chunked body over the limit → 413, and the same connection serves the next request', async () => {
    const conn = await RawConnection.open(gw.url);
    try {
      conn.write(requestText('POST', '/v1/chat/completions', { ...auth(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
      const piece = 'x'.repeat(16 * 1024);
      for (let sent = 0; sent < MAX_BODY_BYTES * 3; sent += piece.length) conn.write(chunk(piece));
      conn.write(LAST_CHUNK);
      const refused = await conn.response();
      expect(refused.status).toBe(413);
      const good = JSON.stringify({ model: 'm-openai-chat', messages: [{ role: 'user', content: 'after the refusal' }] });
      conn.write(
        requestText('POST', '/v1/chat/completions', { ...auth(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(good) }, good),
      );
      const next = await conn.response();
      expect(next.status).toBe(200);
      expect(JSON.parse(next.body).choices[0].message.content).toContain('after the refusal');
      expect(conn.reset).toBe(false);
    } finally {
      conn.destroy();
    }
  });

  test('a refusal before the body is read (401) keeps the connection usable', async () => {
    const conn = await RawConnection.open(gw.url);
    try {
      const body = JSON.stringify({ model: 'm-openai-chat', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] });
      conn.write(
        requestText(
          'POST',
          '/v1/chat/completions',
          { authorization: 'Bearer sk-gw-wrong', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          body,
        ),
      );
      expect((await conn.response()).status).toBe(401);
      const good = JSON.stringify({ model: 'm-openai-chat', messages: [{ role: 'user', content: 'second' }] });
      conn.write(
        requestText('POST', '/v1/chat/completions', { ...auth(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(good) }, good),
      );
      expect((await conn.response()).status).toBe(200);
    } finally {
      conn.destroy();
    }
  });

  test('a body sent one byte at a time → 408 after REQUEST_BODY_TIMEOUT_MS and the socket closed', async () => {
    const conn = await RawConnection.open(gw.url);
    const started = Date.now();
    const trickle = setInterval(() => conn.write('{'), 200);
    try {
      conn.write(requestText('POST', '/v1/messages', { 'x-api-key': key, 'content-type': 'application/json', 'content-length': 1000 }));
      const res = await conn.response(BODY_TIMEOUT_MS + 3000);
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ type: 'error', error: { message: expect.stringContaining('REQUEST_BODY_TIMEOUT_MS') } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
      expect(await conn.waitClosed(2000)).toBe(true);
    } finally {
      clearInterval(trickle);
      conn.destroy();
    }
  });

  test('the same slow body on /graphql → 408 too', async () => {
    const conn = await RawConnection.open(gw.url);
    const trickle = setInterval(() => conn.write(' '), 200);
    try {
      conn.write(requestText('POST', '/graphql', { 'content-type': 'application/json', 'content-length': 1000 }));
      const res = await conn.response(BODY_TIMEOUT_MS + 3000);
      expect(res.status).toBe(408);
      expect(await conn.waitClosed(2000)).toBe(true);
    } finally {
      clearInterval(trickle);
      conn.destroy();
    }
  });
});

describe('paths with broken percent-encoding', () => {
  test.each(['/%', '/%E0%A4%A', '/status/%FF', '/_app/%C0%AF', '/v1/%FF', '/public/%'])('GET %s → 400 or 404, never 500', async (path) => {
    const conn = await RawConnection.open(gw.url);
    try {
      conn.write(requestText('GET', path, {}));
      const res = await conn.response();
      expect([400, 404]).toContain(res.status);
    } finally {
      conn.destroy();
    }
  });
});

describe('the local tokenizer is bounded', () => {
  /**
   * Runs `work` while sampling the event loop (the gateway runs in this process): the
   * best of three runs, since a busy machine delays the loop too, while a stall the
   * work causes happens every time.
   */
  async function maxLoopDelayMs(work: () => Promise<void>): Promise<number> {
    let best = Infinity;
    for (let attempt = 0; attempt < 3 && best >= 100; attempt++) {
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      try {
        await work();
      } finally {
        histogram.disable();
      }
      best = Math.min(best, histogram.max / 1e6);
    }
    return best;
  }

  let big: TestGateway;
  let bigKey: string;
  beforeAll(async () => {
    big = await startTestGateway({ MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    await addUpstream(big, 'openai-chat', { mock: chat });
    bigKey = (await createKey(big)).key;
    // Load the tokenizer tables (and compile its code) first: that one-time cost is not what is measured.
    const warmUp = `warm up ${'z'.repeat(3000)} ${'\u0300'.repeat(3000)} ${'lorem ipsum '.repeat(300)}`;
    await postRaw(big, '/v1/messages/count_tokens', { model: 'm-openai-chat', messages: [{ role: 'user', content: warmUp }] }, { 'x-api-key': bigKey });
  });
  afterAll(async () => {
    await big?.stop();
  });

  test.each([
    ['90 KB of letters without spaces', 'a'.repeat(90_000)],
    ['40,000 combining accents', 'e' + '\u0301'.repeat(40_000)],
    ['a 1 MB text', 'lorem ipsum dolor sit amet '.repeat(40_000)],
  ])('count_tokens for a non-Anthropic model over %s: quick, and no event-loop stall', async (_name, text) => {
    let tokens = 0;
    // Serialized before the measurement: the client's own work shares this event loop.
    const body = JSON.stringify({ model: 'm-openai-chat', messages: [{ role: 'user', content: text }] });
    const delay = await maxLoopDelayMs(async () => {
      const res = await postRaw(big, '/v1/messages/count_tokens', body, { 'x-api-key': bigKey });
      expect(res.status).toBe(200);
      tokens = res.json.input_tokens;
    });
    // An estimate, but of the right size.
    expect(tokens).toBeGreaterThan(text.length / 12);
    expect(tokens).toBeLessThan(text.length * 2);
    expect(delay).toBeLessThan(100);
  });

  test('embeddings to Gemini over text without spaces: usage estimated, no stall', async () => {
    const text = 'b'.repeat(90_000);
    const delay = await maxLoopDelayMs(async () => {
      const res = await postRaw(gw, '/v1/embeddings', { model: 'gemini-embed', input: [text, text] }, auth());
      expect(res.status).toBe(200);
      expect(res.json.usage.prompt_tokens).toBeGreaterThan(2 * (text.length / 12));
    });
    expect(delay).toBeLessThan(100);
  });
});
