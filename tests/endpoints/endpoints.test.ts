/**
 * /v1/images/generations, /v1/images/edits, /v1/audio/speech,
 * /v1/audio/transcriptions, /v1/moderations (the official openai SDK as the
 * client) and /v1/rerank (fetch, Cohere/Jina shape) through a real gateway to
 * strict loopback upstreams: the exact wire each upstream receives, the answer
 * the client gets, one truthful log row with its cost, limits, bad input,
 * upstream errors and failover on a virtual model.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createModel, createProvider, createVirtualModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { eventually } from '../support/wait.js';
import { PNG_BASE64, SPEECH_AUDIO, TRANSCRIBED_SECONDS, startMediaMock, type MediaMock, type MediaRequest } from './media-mock.js';

const UPSTREAM_KEY = 'sk-media-upstream-6f1d2c3b4a5e6f708192a3b4c5d6e7f8';
const UPLOAD_CAP = 256 * 1024;
const PRICES = {
  img: { unitPrices: { image: 0.04, imageBySize: { 'hd/1024x1792': 0.12 } }, inputPrice: 0.000005, outputPrice: 0.00004 },
  tts: { unitPrices: { speech1kChars: 0.015 } },
  stt: { unitPrices: { audioSecond: 0.0001 } },
  search: { unitPrices: { search: 0.002 } },
};

let gw: TestGateway;
let oai: MediaMock;
let down: MediaMock;
let jina: MediaMock;
let cohere: MediaMock;
let voyage: MediaMock;
let key: { key: string; id: string };
let client: OpenAI;
let dir: string;

const sdk = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
const last = (mock: MediaMock): MediaRequest => {
  const req = mock.requests.at(-1);
  if (!req) throw new Error('the mock received no request');
  return req;
};
const formText = (form: FormData) => Object.fromEntries([...form].filter(([, v]) => typeof v === 'string'));

async function logRows(keyId: string) {
  await gw.services.requestLogs.flush();
  return gw.services.db.requestLog.findMany({ where: { virtualKeyId: keyId }, orderBy: { createdAt: 'asc' } });
}
async function lastRow(keyId: string) {
  const rows = await logRows(keyId);
  const row = rows.at(-1);
  if (!row) throw new Error('no log row');
  return row;
}

async function post(path: string, body: unknown, apiKey = key.key) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) };
}

beforeAll(async () => {
  gw = await startTestGateway({ MAX_UPLOAD_BYTES: String(UPLOAD_CAP) });
  [oai, down, jina, cohere, voyage] = await Promise.all([
    startMediaMock({ apiKey: UPSTREAM_KEY }),
    startMediaMock({ apiKey: UPSTREAM_KEY, alwaysFail: { status: 503, body: { error: { message: 'The server is overloaded' } } } }),
    startMediaMock({ apiKey: UPSTREAM_KEY, rerank: 'jina' }),
    startMediaMock({ apiKey: UPSTREAM_KEY, rerank: 'cohere', basePath: '/v2' }),
    startMediaMock({ apiKey: UPSTREAM_KEY, rerank: 'voyage' }),
  ]);
  const provider = (name: string, type: string, mock: MediaMock) => createProvider(gw, { name, type, baseUrl: mock.url, apiKey: UPSTREAM_KEY });
  const openaiId = await provider('oai', 'openai', oai);
  const img = await createModel(gw, openaiId, 'img', 'gpt-image-1', PRICES.img);
  await createModel(gw, openaiId, 'tts', 'tts-1', PRICES.tts);
  await createModel(gw, openaiId, 'stt', 'whisper-1', PRICES.stt);
  await createModel(gw, openaiId, 'mod', 'omni-moderation-latest');
  const imgDown = await createModel(gw, await provider('down', 'openai', down), 'img-down', 'gpt-image-1', PRICES.img);
  await createVirtualModel(gw, {
    name: 'images-vm',
    strategy: 'FAILOVER',
    targets: [
      { modelId: imgDown, priority: 0 },
      { modelId: img, priority: 1 },
    ],
  });
  await createModel(gw, await provider('claude', 'anthropic', oai), 'claude', 'claude-sonnet-4-5');
  await createModel(gw, await provider('jina', 'jina', jina), 'rr-jina', 'jina-reranker-v2-base-multilingual', PRICES.search);
  await createModel(gw, await provider('cohere', 'cohere', cohere), 'rr-cohere', 'rerank-v3.5', PRICES.search);
  await createModel(gw, await provider('voyage', 'voyage', voyage), 'rr-voyage', 'rerank-2', { inputPrice: 0.00000005 });
  key = await createKey(gw);
  client = sdk(key.key);
  dir = mkdtempSync(join(tmpdir(), 'gw-endpoints-'));
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([oai, down, jina, cohere, voyage].map((m) => m?.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('images', () => {
  test('images.generate: the JSON body goes upstream with the upstream model; billed per image by quality and size plus tokens', async () => {
    const answer = await client.images.generate({ model: 'img', prompt: 'a lighthouse at dusk', n: 2, size: '1024x1792', quality: 'hd', user: 'alice' });
    expect(answer.data?.map((d) => d.b64_json)).toEqual([PNG_BASE64, PNG_BASE64]);
    const req = last(oai);
    expect(req.path).toBe('/v1/images/generations');
    expect(req.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(req.json).toEqual({ model: 'gpt-image-1', prompt: 'a lighthouse at dusk', n: 2, size: '1024x1792', quality: 'hd', user: 'alice' });
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'image_generations', status: 200, requestedModel: 'img', targetModel: 'gpt-image-1', providerName: 'oai' });
    expect(row).toMatchObject({ inputTokens: 10, outputTokens: 200, attempts: 1, endUser: 'alice' });
    expect(row.costUsd).toBeCloseTo(2 * 0.12 + 10 * 0.000005 + 200 * 0.00004, 9);
  });

  test('a size without its own price is billed at the flat image price', async () => {
    await client.images.generate({ model: 'img', prompt: 'a cat', size: '1024x1024' });
    expect((await lastRow(key.id)).costUsd).toBeCloseTo(0.04 + 10 * 0.000005 + 100 * 0.00004, 9);
  });

  test('images.edit: the multipart form (image file, prompt) goes upstream with the upstream model', async () => {
    const png = Buffer.from(PNG_BASE64, 'base64');
    const answer = await client.images.edit({ model: 'img', prompt: 'add a hat', image: await toFile(png, 'cat.png', { type: 'image/png' }) });
    expect(answer.data?.[0]?.b64_json).toBe(PNG_BASE64);
    const req = last(oai);
    expect(req.path).toBe('/v1/images/edits');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(formText(req.form!)).toEqual({ model: 'gpt-image-1', prompt: 'add a hat' });
    const file = req.form!.get('image') as File;
    expect(file.name).toBe('cat.png');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(png);
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'image_edits', status: 200 });
    expect(row.costUsd).toBeCloseTo(0.04 + 10 * 0.000005 + 100 * 0.00004, 9);
  });

  test('a virtual model fails over from a provider that is down; the log row counts both attempts', async () => {
    const before = down.requests.length;
    const answer = await client.images.generate({ model: 'images-vm', prompt: 'a red door' });
    expect(answer.data).toHaveLength(1);
    expect(down.requests.length).toBeGreaterThan(before);
    expect(last(oai).json).toMatchObject({ model: 'gpt-image-1', prompt: 'a red door' });
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'image_generations', status: 200, requestedModel: 'images-vm', providerName: 'oai' });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    const attempts = JSON.parse(String(row.attemptLog)) as Array<{ provider: string; status: number }>;
    expect(attempts[0]).toMatchObject({ provider: 'down', status: 503 });
    expect(attempts.at(-1)).toMatchObject({ provider: 'oai', status: 200 });
  });

  test('bad input: no prompt → 400 naming the field; n out of range → 400; unknown model → 404', async () => {
    const noPrompt = await post('/v1/images/generations', { model: 'img' });
    expect(noPrompt.status).toBe(400);
    expect(noPrompt.json.error).toMatchObject({ type: 'invalid_request_error', param: 'prompt' });
    const tooMany = await post('/v1/images/generations', { model: 'img', prompt: 'x', n: 50 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.param).toBe('n');
    await expect(client.images.generate({ model: 'no-such-model', prompt: 'x' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  test('an upstream 400 reaches the client with its message; a 429 with retry-after', async () => {
    oai.failNext(400, { error: { message: 'Invalid size: 17x17', type: 'invalid_request_error' } });
    await expect(client.images.generate({ model: 'img', prompt: 'x', size: '256x256' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Invalid size: 17x17'),
    });
    oai.failNext(429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '7' });
    const limited = await post('/v1/images/generations', { model: 'img', prompt: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'image_generations', status: 429, costUsd: 0 });
  });

  test('an upstream error echoing the provider key reaches neither the client nor the log', async () => {
    oai.failNext(401, { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}` } });
    const res = await post('/v1/images/generations', { model: 'img', prompt: 'x' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(res.json)).not.toContain(UPSTREAM_KEY);
    const rows = await logRows(key.id);
    expect(JSON.stringify(rows)).not.toContain(UPSTREAM_KEY);
  });

  test('a provider that serves no images (Anthropic) → 400 before any upstream call', async () => {
    const before = oai.requests.length;
    const res = await post('/v1/images/generations', { model: 'claude', prompt: 'x' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ param: 'model', message: expect.stringContaining('/v1/images/generations') });
    expect(oai.requests.length).toBe(before);
  });
});

describe('audio', () => {
  test('audio.speech.create: the audio streams back byte for byte; billed per 1000 characters', async () => {
    const input = 'The quick brown fox jumps over the lazy dog.';
    const res = await client.audio.speech.create({ model: 'tts', voice: 'alloy', input, response_format: 'mp3' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(SPEECH_AUDIO);
    const req = last(oai);
    expect(req.path).toBe('/v1/audio/speech');
    expect(req.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(req.json).toEqual({ model: 'tts-1', voice: 'alloy', input, response_format: 'mp3' });
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'audio_speech', status: 200, targetModel: 'tts-1' });
    expect(row.costUsd).toBeCloseTo((input.length / 1000) * 0.015, 12);
  });

  test('a speech stream cut by the upstream cuts the client too (no clean end); the log says 502', async () => {
    const res = await fetch(`${gw.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
      body: JSON.stringify({ model: 'tts', voice: 'alloy', input: 'cut mid-stream' }),
    });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    await eventually(async () => expect(await lastRow(key.id)).toMatchObject({ clientApi: 'audio_speech', status: 502 }));
  });

  test('a client leaving a speech stream cancels the upstream call; the log says 499', async () => {
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
      body: JSON.stringify({ model: 'tts', voice: 'alloy', input: 'stall after one chunk' }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    expect((await reader.read()).value?.length).toBeGreaterThan(0);
    const before = oai.closedEarly;
    abort.abort();
    await eventually(() => expect(oai.closedEarly).toBe(before + 1));
    await eventually(async () => expect(await lastRow(key.id)).toMatchObject({ clientApi: 'audio_speech', status: 499 }));
  });

  test('speech without input → 400; to a provider without speech → 400', async () => {
    const res = await post('/v1/audio/speech', { model: 'tts', voice: 'alloy' });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('input');
    expect((await post('/v1/audio/speech', { model: 'claude', voice: 'alloy', input: 'hi' })).status).toBe(400);
  });

  test('audio.transcriptions.create with a real file: the form goes upstream; billed per second the upstream reports', async () => {
    const audio = Buffer.alloc(48_000, 3);
    const path = join(dir, 'meeting.wav');
    writeFileSync(path, audio);
    const answer = await client.audio.transcriptions.create({ model: 'stt', file: createReadStream(path), language: 'en' });
    expect(answer.text).toBe(`transcribed meeting.wav (${audio.length} bytes)`);
    const req = last(oai);
    expect(req.path).toBe('/v1/audio/transcriptions');
    expect(req.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(formText(req.form!)).toEqual({ model: 'whisper-1', language: 'en' });
    const file = req.form!.get('file') as File;
    expect(file.name).toBe('meeting.wav');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(audio);
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'audio_transcriptions', status: 200, targetModel: 'whisper-1' });
    expect(row.costUsd).toBeCloseTo(TRANSCRIBED_SECONDS * 0.0001, 12);
  });

  test('the log row keeps the attempt and the request as sent: the form as fields and file size, the key masked', async () => {
    const logging = await createKey(gw, { logBodies: true });
    await sdk(logging.key).audio.transcriptions.create({ model: 'stt', file: await toFile(Buffer.alloc(2048, 7), 'note.wav') });
    const row = await lastRow(logging.id);
    const sent = JSON.parse(String(row.upstreamRequest));
    expect(sent.url).toBe(`${oai.url}/audio/transcriptions`);
    expect(sent.body).toMatch(/^multipart\/form-data: model="whisper-1", file=<file note\.wav 2048 bytes>/);
    expect(JSON.stringify(sent)).not.toContain(UPSTREAM_KEY);
    expect(sent.headers.authorization).toBeDefined();
    expect(JSON.parse(String(row.attemptLog))).toMatchObject([{ provider: 'oai', model: 'whisper-1', status: 200 }]);
  });

  test('response_format text passes through as text; verbose_json reports the duration billed', async () => {
    const file = await toFile(Buffer.alloc(1000, 1), 'a.mp3', { type: 'audio/mpeg' });
    const text = await client.audio.transcriptions.create({ model: 'stt', file, response_format: 'text' });
    expect(String(text).trim()).toBe('transcribed a.mp3 (1000 bytes)');
    const verbose = await client.audio.transcriptions.create({
      model: 'stt',
      file: await toFile(Buffer.alloc(10, 1), 'b.mp3'),
      response_format: 'verbose_json',
    });
    expect(verbose.duration).toBe(TRANSCRIBED_SECONDS);
    expect((await lastRow(key.id)).costUsd).toBeCloseTo(TRANSCRIBED_SECONDS * 0.0001, 12);
  });

  test('an upload beyond MAX_UPLOAD_BYTES → 413 and nothing goes upstream; no file → 400; JSON instead of a form → 400', async () => {
    const before = oai.requests.length;
    const big = new FormData();
    big.append('model', 'stt');
    big.append('file', new Blob([Buffer.alloc(UPLOAD_CAP + 1024)]), 'big.wav');
    const res = await fetch(`${gw.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key.key}` }, body: big });
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toContain('MAX_UPLOAD_BYTES');
    const noFile = new FormData();
    noFile.append('model', 'stt');
    const missing = await fetch(`${gw.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key.key}` }, body: noFile });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.param).toBe('file');
    expect((await post('/v1/audio/transcriptions', { model: 'stt' })).status).toBe(400);
    expect(oai.requests.length).toBe(before);
  });
});

describe('moderations', () => {
  test('moderations.create: passed through with the upstream model', async () => {
    const answer = await client.moderations.create({ model: 'mod', input: ['hello there', 'I will kill the process'] });
    expect(answer.results.map((r) => r.flagged)).toEqual([false, true]);
    expect(last(oai).json).toEqual({ model: 'omni-moderation-latest', input: ['hello there', 'I will kill the process'] });
    expect(await lastRow(key.id)).toMatchObject({ clientApi: 'moderations', status: 200, targetModel: 'omni-moderation-latest' });
  });

  test('no input → 400', async () => {
    const res = await post('/v1/moderations', { model: 'mod' });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('input');
  });
});

describe('rerank', () => {
  const documents = ['Paris is the capital of France.', 'Berlin has many museums.', 'paris hosts the Louvre.'];

  test('Jina: the Cohere/Jina body goes as it is; results with index and relevance_score; billed per search plus tokens', async () => {
    const res = await post('/v1/rerank', { model: 'rr-jina', query: 'Paris museums', documents, top_n: 2, return_documents: true });
    expect(res.status).toBe(200);
    expect(res.json.results).toEqual([
      { index: 0, relevance_score: 0.9, document: { text: documents[0] } },
      { index: 2, relevance_score: 0.88, document: { text: documents[2] } },
    ]);
    const req = last(jina);
    expect(req.path).toBe('/v1/rerank');
    expect(req.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(req.json).toEqual({ model: 'jina-reranker-v2-base-multilingual', query: 'Paris museums', documents, top_n: 2, return_documents: true });
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'rerank', status: 200, inputTokens: 37 });
    expect(row.costUsd).toBeCloseTo(0.002, 12);
  });

  test('Cohere v2: documents as strings, no return_documents; billed by its search units', async () => {
    const res = await post('/v1/rerank', {
      model: 'rr-cohere',
      query: 'Paris',
      documents: documents.map((text) => ({ text })),
      top_n: 1,
      return_documents: false,
    });
    expect(res.status).toBe(200);
    expect(res.json.results).toEqual([{ index: 0, relevance_score: 0.9 }]);
    const req = last(cohere);
    expect(req.path).toBe('/v2/rerank');
    expect(req.json).toEqual({ model: 'rerank-v3.5', query: 'Paris', documents, top_n: 1 });
    expect((await lastRow(key.id)).costUsd).toBeCloseTo(0.002, 12);
  });

  test('Voyage: top_n sent as top_k, its `data` answered as results; billed by tokens', async () => {
    const res = await post('/v1/rerank', { model: 'rr-voyage', query: 'Berlin', documents, top_n: 1, return_documents: true });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      model: 'rerank-2',
      results: [{ index: 1, relevance_score: 0.89, document: { text: documents[1] } }],
      usage: { total_tokens: 42 },
    });
    expect(last(voyage).json).toEqual({ model: 'rerank-2', query: 'Berlin', documents, top_k: 1, return_documents: true });
    const row = await lastRow(key.id);
    expect(row).toMatchObject({ clientApi: 'rerank', inputTokens: 42 });
    expect(row.costUsd).toBeCloseTo(42 * 0.00000005, 12);
  });

  test('bad input: no documents, a document that is not text, no query → 400 naming the field', async () => {
    expect((await post('/v1/rerank', { model: 'rr-jina', query: 'x', documents: [] })).json.error.param).toBe('documents');
    expect((await post('/v1/rerank', { model: 'rr-jina', query: 'x', documents: ['a', 3] })).json.error.param).toBe('documents[1]');
    const noQuery = await post('/v1/rerank', { model: 'rr-jina', documents: ['a'] });
    expect(noQuery.status).toBe(400);
    expect(noQuery.json.error.param).toBe('query');
    expect((await post('/v1/rerank', { model: 'img', query: 'x', documents: ['a'] })).status).toBe(400);
  });
});

describe('keys and limits', () => {
  test('a key allowed only "img" is refused speech with 403', async () => {
    const limited = await createKey(gw, { allowedModels: ['img'] });
    await expect(sdk(limited.key).audio.speech.create({ model: 'tts', voice: 'alloy', input: 'hi' })).rejects.toMatchObject({ status: 403 });
    expect((await sdk(limited.key).images.generate({ model: 'img', prompt: 'ok' })).data).toHaveLength(1);
  });

  test('RPM: the second request in the minute is refused with 429 and rate-limit headers', async () => {
    const rpm = await createKey(gw, { rpmLimit: 1 });
    expect((await post('/v1/moderations', { model: 'mod', input: 'one' }, rpm.key)).status).toBe(200);
    const second = await post('/v1/rerank', { model: 'rr-jina', query: 'x', documents: ['a'] }, rpm.key);
    expect(second.status).toBe(429);
    expect(second.json.error.code).toBe('rate_limit_exceeded');
    const rows = await logRows(rpm.id);
    expect(rows.map((r) => [r.clientApi, r.status])).toEqual([
      ['moderations', 200],
      ['rerank', 429],
    ]);
  });

  test('budget: the cost of images counts against the key budget', async () => {
    const budget = await createKey(gw, { budgetUsd: 0.1 });
    expect((await post('/v1/images/generations', { model: 'img', prompt: 'x', n: 1, size: '1024x1792', quality: 'hd' }, budget.key)).status).toBe(200);
    const refused = await eventually(async () => {
      const res = await post('/v1/images/generations', { model: 'img', prompt: 'x' }, budget.key);
      expect(res.status).toBe(429);
      return res;
    });
    expect(refused.json.error.code).toBe('insufficient_quota');
  });
});

describe('prices from the catalog', () => {
  test('a catalog preset sets the unit prices (DALL·E per quality and size, Whisper per second), and requests are billed by them', async () => {
    const providerId = await createProvider(gw, { name: 'oai-catalog', type: 'openai', baseUrl: oai.url, apiKey: UPSTREAM_KEY });
    const dalle = await createModel(gw, providerId, 'dalle', 'dall-e-3');
    const whisper = await createModel(gw, providerId, 'whisper', 'whisper-1');
    const apply = 'mutation($id: ID!, $k: String) { applyModelPreset(modelId: $id, catalogKey: $k) { unitPrices } }';
    const applied = await gw.admin<{ applyModelPreset: { unitPrices: any } }>(apply, { id: dalle, k: 'dall-e-3' });
    expect(applied.applyModelPreset.unitPrices.imageBySize).toMatchObject({ 'hd/1024x1792': 0.12, 'standard/1024x1024': 0.04 });
    expect((await gw.admin<{ applyModelPreset: { unitPrices: any } }>(apply, { id: whisper, k: 'whisper-1' })).applyModelPreset.unitPrices).toEqual({
      audioSecond: 0.0001,
    });

    await eventually(async () => {
      await client.images.generate({ model: 'dalle', prompt: 'a boat', size: '1024x1792', quality: 'hd' });
      expect((await lastRow(key.id)).costUsd).toBeCloseTo(0.12, 9);
    });
    await client.audio.transcriptions.create({ model: 'whisper', file: await toFile(Buffer.alloc(100, 2), 'c.wav') });
    expect((await lastRow(key.id)).costUsd).toBeCloseTo(TRANSCRIBED_SECONDS * 0.0001, 12);
  });

  test('unit prices are checked when a model is saved', async () => {
    const providerId = await createProvider(gw, { name: 'oai-bad-prices', type: 'openai', baseUrl: oai.url, apiKey: UPSTREAM_KEY });
    await expect(createModel(gw, providerId, 'bad-prices', 'gpt-image-1', { unitPrices: { image: -1 } })).rejects.toThrow(/unitPrices\.image/);
    await expect(createModel(gw, providerId, 'bad-sizes', 'gpt-image-1', { unitPrices: { imageBySize: { huge: 1 } } })).rejects.toThrow(/quality\/size/);
    await expect(createModel(gw, providerId, 'bad-field', 'gpt-image-1', { unitPrices: { perImage: 1 } })).rejects.toThrow(/unitPrices/);
  });
});

describe('presets', () => {
  test('the admin API lists the rerank presets and the endpoints each preset serves', async () => {
    const { providerPresets } = await gw.admin<{ providerPresets: Array<{ type: string; defaultBaseUrl: string; endpoints: string[] }> }>(
      '{ providerPresets { type defaultBaseUrl endpoints } }',
    );
    const byType = new Map(providerPresets.map((p) => [p.type, p]));
    expect(byType.get('jina')).toEqual({ type: 'jina', defaultBaseUrl: 'https://api.jina.ai/v1', endpoints: ['rerank'] });
    expect(byType.get('cohere')).toEqual({ type: 'cohere', defaultBaseUrl: 'https://api.cohere.com/v2', endpoints: ['rerank'] });
    expect(byType.get('voyage')).toEqual({ type: 'voyage', defaultBaseUrl: 'https://api.voyageai.com/v1', endpoints: ['rerank'] });
    expect(byType.get('openai')?.endpoints).toEqual(['image_generations', 'image_edits', 'audio_speech', 'audio_transcriptions', 'moderations']);
    expect(byType.get('anthropic')?.endpoints).toEqual([]);
  });
});

describe('Azure OpenAI', () => {
  test('images and speech go to the deployment path with the api-version and the api-key header', async () => {
    const azure = await startMediaMock({ apiKey: UPSTREAM_KEY, auth: 'api-key', basePath: '/openai/deployments/media-deploy' });
    try {
      const providerId = await createProvider(gw, {
        name: 'azure-media',
        type: 'azure-openai',
        baseUrl: azure.url.replace(/\/openai\/.*$/, ''),
        apiKey: UPSTREAM_KEY,
        options: { apiVersion: '2025-04-01-preview' },
      });
      await createModel(gw, providerId, 'azure-img', 'media-deploy');
      await createModel(gw, providerId, 'azure-tts', 'media-deploy');
      expect((await client.images.generate({ model: 'azure-img', prompt: 'a kite' })).data).toHaveLength(1);
      expect(last(azure).url).toBe('/openai/deployments/media-deploy/images/generations?api-version=2025-04-01-preview');
      expect(last(azure).headers['api-key']).toBe(UPSTREAM_KEY);
      expect(last(azure).headers.authorization).toBeUndefined();
      const speech = await client.audio.speech.create({ model: 'azure-tts', voice: 'alloy', input: 'hello' });
      expect(Buffer.from(await speech.arrayBuffer())).toEqual(SPEECH_AUDIO);
      expect(last(azure).url).toBe('/openai/deployments/media-deploy/audio/speech?api-version=2025-04-01-preview');
      // Azure has no rerank or moderations deployment path: refused before any call.
      const before = azure.requests.length;
      expect((await post('/v1/moderations', { model: 'azure-img', input: 'x' })).status).toBe(400);
      expect(azure.requests.length).toBe(before);
    } finally {
      await azure.close();
    }
  });
});
