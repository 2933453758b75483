/**
 * /v1/images/generations on Imagen through the Gemini API (`:predict`), driven by the
 * official OpenAI SDK, against a strict loopback upstream that accepts only Imagen's
 * body (instances with a prompt, parameters sampleCount / aspectRatio) with the
 * provider's x-goog-api-key; the answer comes back in OpenAI's shape, billed per image returned.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createModel, createProvider } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { PNG_BASE64, startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';

const API_KEY = 'gemini-imagen-key-0123456789';
const UPSTREAM_MODEL = 'imagen-4.0-generate-001';
const ASPECT_RATIOS = new Set(['1:1', '3:4', '4:3', '9:16', '16:9']);

let gw: TestGateway;
let upstream: CustomUpstream;
let key: { key: string; id: string };
let client: OpenAI;
/** Predictions the next answer leaves without image bytes (the upstream's safety filter). */
let filtered = 0;

beforeAll(async () => {
  gw = await startTestGateway();
  upstream = await startCustomUpstream((req, body, res) => {
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const refuse = (message: string) => reply(400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
    if (req.headers['x-goog-api-key'] !== API_KEY) return reply(403, { error: { code: 403, message: 'API key not valid.', status: 'PERMISSION_DENIED' } });
    if (req.method !== 'POST' || req.url !== `/v1beta/models/${UPSTREAM_MODEL}:predict`)
      return reply(404, { error: { code: 404, message: `no route ${req.url}` } });
    const keys = Object.keys(body ?? {}).sort();
    if (keys.join() !== 'instances,parameters') return refuse(`Invalid JSON payload received. Unknown name among: ${keys.join()}`);
    const prompt = body.instances?.[0]?.prompt;
    if (body.instances.length !== 1 || typeof prompt !== 'string' || !prompt) return refuse('instances[0].prompt is required');
    const { sampleCount, aspectRatio, ...other } = body.parameters ?? {};
    if (Object.keys(other).length) return refuse(`Unknown parameters: ${Object.keys(other).join()}`);
    if (!Number.isInteger(sampleCount) || sampleCount < 1 || sampleCount > 4) return refuse('sampleCount must be between 1 and 4');
    if (aspectRatio !== undefined && !ASPECT_RATIOS.has(aspectRatio)) return refuse(`Unsupported aspect ratio ${aspectRatio}`);
    const predictions = Array.from({ length: sampleCount }, (_, i) =>
      i < filtered ? { raiFilteredReason: 'filtered' } : { bytesBase64Encoded: PNG_BASE64, mimeType: 'image/png' },
    );
    filtered = 0;
    reply(200, { predictions });
  });
  const provider = await createProvider(gw, { name: 'gemini-api', type: 'gemini', baseUrl: upstream.url, apiKey: API_KEY });
  await createModel(gw, provider, 'imagen', UPSTREAM_MODEL, { unitPrices: { image: 0.04 } });
  key = await createKey(gw, { name: 'imagen-key' });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key.key, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

async function lastRow() {
  await gw.services.requestLogs.flush();
  const rows = await gw.services.db.requestLog.findMany({ where: { virtualKeyId: key.id }, orderBy: { createdAt: 'asc' } });
  const row = rows.at(-1);
  if (!row) throw new Error('no log row');
  return row;
}

describe('images on Imagen (Gemini API :predict)', () => {
  test('an OpenAI generation becomes an Imagen predict; the images come back as b64_json, billed per image', async () => {
    const answer = await client.images.generate({ model: 'imagen', prompt: 'a lighthouse at dusk', n: 2, size: '1792x1024' });
    expect(answer.data?.map((d) => d.b64_json)).toEqual([PNG_BASE64, PNG_BASE64]);
    expect(upstream.requests.at(-1)!.body).toEqual({ instances: [{ prompt: 'a lighthouse at dusk' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } });
    const row = await lastRow();
    expect(row).toMatchObject({
      clientApi: 'image_generations',
      status: 200,
      requestedModel: 'imagen',
      targetModel: UPSTREAM_MODEL,
      providerName: 'gemini-api',
    });
    expect(row.costUsd).toBeCloseTo(2 * 0.04, 9);
  });

  test('without a size no aspect ratio is sent; filtered predictions are neither returned nor billed', async () => {
    filtered = 1;
    const answer = await client.images.generate({ model: 'imagen', prompt: 'a cat', n: 3 });
    expect(answer.data).toHaveLength(2);
    expect(upstream.requests.at(-1)!.body).toEqual({ instances: [{ prompt: 'a cat' }], parameters: { sampleCount: 3 } });
    expect((await lastRow()).costUsd).toBeCloseTo(2 * 0.04, 9);
  });

  test("an upstream refusal reaches the client with Imagen's reason", async () => {
    const failure = await client.images
      .generate({ model: 'imagen', prompt: 'many', n: 6 })
      .catch((error: unknown) => error as { status?: number; message: string });
    expect(failure).toMatchObject({ status: 400 });
    expect((failure as Error).message).toContain('sampleCount must be between 1 and 4');
  });
});
