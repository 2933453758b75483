/**
 * The /v1 endpoints around generation: the model list (OpenAI and Anthropic
 * shapes, filtered by the key), embeddings (OpenAI-compatible and Gemini
 * upstreams) and Anthropic's count_tokens (exact upstream, estimated otherwise).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { embed } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, anthropicClient, createKey, createModel, lastRequest, openaiClient, postRaw, UPSTREAMS } from '../support/proxy-fixture.js';

let gw: TestGateway;
let chatMock: MockUpstream;
let geminiMock: MockUpstream;
let anthropicMock: MockUpstream;
let key: string;
let limitedKey: string;
let oai: OpenAI;
let ant: Anthropic;

const ALL_MODELS = ['emb-gemini', 'emb-openai', 'm-anthropic', 'm-gemini', 'm-openai-chat'];

beforeAll(async () => {
  gw = await startTestGateway();
  const chat = await addUpstream(gw, 'openai-chat');
  const gemini = await addUpstream(gw, 'gemini');
  const anthropic = await addUpstream(gw, 'anthropic');
  chatMock = chat.mock;
  geminiMock = gemini.mock;
  anthropicMock = anthropic.mock;
  await createModel(gw, chat.providerId, 'emb-openai', 'text-embedding-3-small', { mode: 'embedding' });
  await createModel(gw, gemini.providerId, 'emb-gemini', 'text-embedding-004', { mode: 'embedding' });
  await createModel(gw, chat.providerId, 'm-disabled', 'gpt-4o-mini', { enabled: false });
  key = (await createKey(gw)).key;
  limitedKey = (await createKey(gw, { allowedModels: ['m-anthropic', 'emb-openai'] })).key;
  oai = openaiClient(gw, key);
  ant = anthropicClient(gw, key);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([chatMock, geminiMock, anthropicMock].map((m) => m?.close()));
});

async function getModels(apiKey: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/v1/models`, { headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers } });
  return { status: res.status, json: await res.json() };
}

describe('GET /v1/models', () => {
  test('OpenAI list shape with every enabled model (OpenAI SDK)', async () => {
    const models = [];
    for await (const model of oai.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(ALL_MODELS);
    for (const m of models) {
      expect(m.object).toBe('model');
      expect(Number.isInteger(m.created)).toBe(true);
      expect(m.created).toBeGreaterThan(1_600_000_000);
      expect(typeof m.owned_by).toBe('string');
    }
    const raw = await getModels(key);
    expect(raw.status).toBe(200);
    expect(raw.json.object).toBe('list');
    expect(Object.keys(raw.json.data[0]).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
  });

  test('Anthropic shape when anthropic-version is sent (Anthropic SDK)', async () => {
    const models = [];
    for await (const model of ant.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(ALL_MODELS);
    for (const m of models) {
      expect(m.type).toBe('model');
      expect(typeof m.display_name).toBe('string');
      expect(new Date(m.created_at).getTime()).toBeGreaterThan(0);
    }
    const raw = await getModels(undefined, { 'x-api-key': key, 'anthropic-version': '2023-06-01' });
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({ has_more: false, first_id: ALL_MODELS[0], last_id: ALL_MODELS.at(-1) });
    expect(raw.json.object).toBeUndefined();
  });

  test('respects allowedModels in both shapes', async () => {
    const openai = await getModels(limitedKey);
    expect(openai.json.data.map((m: any) => m.id)).toEqual(['emb-openai', 'm-anthropic']);
    const anthropic = await getModels(undefined, { 'x-api-key': limitedKey, 'anthropic-version': '2023-06-01' });
    expect(anthropic.json.data.map((m: any) => m.id)).toEqual(['emb-openai', 'm-anthropic']);
  });

  test('without a key → 401 in the caller format', async () => {
    const openai = await getModels(undefined);
    expect(openai.status).toBe(401);
    expect(openai.json.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
    const anthropic = await getModels(undefined, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(401);
    expect(anthropic.json).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.any(String) } });
  });
});

describe('POST /v1/embeddings', () => {
  test('via an OpenAI-compatible upstream (OpenAI SDK)', async () => {
    const res = await oai.embeddings.create({ model: 'emb-openai', input: ['first text', 'second'], dimensions: 8 });
    expect(res.data).toHaveLength(2);
    res.data.forEach((d, i) => {
      expect(d.index).toBe(i);
      const expected = embed(i === 0 ? 'first text' : 'second', 8);
      expect(d.embedding).toHaveLength(8);
      d.embedding.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 5));
    });
    expect(res.usage.prompt_tokens).toBe(12);
    const received = lastRequest(chatMock);
    expect(received.url).toBe('/v1/embeddings');
    expect(received.body.model).toBe('text-embedding-3-small');
    expect(received.body.input).toEqual(['first text', 'second']);
  });

  test('via Gemini batchEmbedContents (OpenAI SDK: its default base64, and float)', async () => {
    for (const encoding_format of [undefined, 'float'] as const) {
      const res = await oai.embeddings.create({ model: 'emb-gemini', input: ['alpha', 'beta gamma'], ...(encoding_format ? { encoding_format } : {}) });
      expect(res.object).toBe('list');
      expect(res.data).toHaveLength(2);
      res.data.forEach((d, i) => {
        const text = i === 0 ? 'alpha' : 'beta gamma';
        expect(d.embedding).toHaveLength(8);
        d.embedding.forEach((v, j) => expect(v).toBeCloseTo(Math.sin(text.length + i + j), 5));
      });
      const received = lastRequest(geminiMock);
      expect(received.url).toContain('/v1beta/models/text-embedding-004:batchEmbedContents');
      expect(received.body.requests).toHaveLength(2);
      expect(received.body.requests[0].content.parts[0].text).toBe('alpha');
    }
  });

  test('a single string input via Gemini', async () => {
    const res = await postRaw(gw, '/v1/embeddings', { model: 'emb-gemini', input: 'solo' }, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(1);
    expect(res.json.data[0].embedding.every((v: unknown) => typeof v === 'number')).toBe(true);
  });

  test('Gemini: base64 is little-endian float32, as OpenAI sends it; other encodings → 400', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const res = await postRaw(gw, '/v1/embeddings', { model: 'emb-gemini', input: 'solo', encoding_format: 'base64' }, auth);
    expect(res.status).toBe(200);
    const encoded = res.json.data[0].embedding;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes.length).toBe(8 * 4);
    expect(bytes.readFloatLE(4)).toBeCloseTo(Math.sin('solo'.length + 1), 5);
    const bad = await postRaw(gw, '/v1/embeddings', { model: 'emb-gemini', input: 'solo', encoding_format: 'int8' }, auth);
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('encoding_format');
  });

  test('missing input → 400 naming it; not allowed → 403', async () => {
    const missing = await postRaw(gw, '/v1/embeddings', { model: 'emb-openai' }, { authorization: `Bearer ${key}` });
    expect(missing.status).toBe(400);
    expect(missing.json.error.param).toBe('input');
    const denied = await postRaw(gw, '/v1/embeddings', { model: 'emb-gemini', input: 'x' }, { authorization: `Bearer ${limitedKey}` });
    expect(denied.status).toBe(403);
  });
});

describe('POST /v1/messages/count_tokens', () => {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'How many tokens is this sentence, roughly?' }];

  test('exact via the Anthropic upstream (its answer, model rewritten)', async () => {
    anthropicMock.setUsage({ input: 321, output: 1 });
    try {
      const res = await ant.messages.countTokens({ model: 'm-anthropic', system: 'Be brief.', messages });
      expect(res.input_tokens).toBe(321);
    } finally {
      anthropicMock.setUsage({ input: 12, output: 8 });
    }
    const received = lastRequest(anthropicMock);
    expect(received.url).toBe('/v1/messages/count_tokens');
    expect(received.body.model).toBe(UPSTREAMS.anthropic.upstreamModel);
    expect(received.body.system).toBe('Be brief.');
    expect(received.body.max_tokens).toBeUndefined();
  });

  test('estimated for a non-Anthropic model, without calling the upstream', async () => {
    const before = chatMock.requests.length + geminiMock.requests.length;
    const short = await ant.messages.countTokens({ model: 'm-openai-chat', messages });
    const long = await ant.messages.countTokens({
      model: 'm-gemini',
      messages: [{ role: 'user', content: 'How many tokens is this sentence, roughly? '.repeat(20) }],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens * 5);
    expect(chatMock.requests.length + geminiMock.requests.length).toBe(before);
  });

  test('unknown model → 404 in Anthropic format', async () => {
    const res = await postRaw(gw, '/v1/messages/count_tokens', { model: 'nope', messages }, { 'x-api-key': key, 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('nope') } });
  });
});
