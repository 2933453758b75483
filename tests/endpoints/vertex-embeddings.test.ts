/**
 * /v1/embeddings to Vertex AI (`publishers/google/models/{model}:predict`): the
 * OpenAI body becomes Vertex instances, the bearer token is minted from the
 * service-account key against the mock's own token endpoint, and the answer's
 * token counts are the usage — through the official openai SDK.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startVertexMock, type VertexMock } from '../support/mock-upstreams/vertex.js';
import { createKey, createModel, createProvider, openaiClient, postRaw } from '../support/proxy-fixture.js';
import type OpenAI from 'openai';

let gw: TestGateway;
let vertex: VertexMock;
let client: OpenAI;
let key: { key: string; id: string };

beforeAll(async () => {
  gw = await startTestGateway();
  vertex = await startVertexMock({ project: 'mock-project-123', location: 'us-central1' });
  const providerId = await createProvider(gw, {
    name: 'vertex-embed',
    type: 'vertex-gemini',
    baseUrl: vertex.url,
    apiKey: vertex.serviceAccount,
    options: { vertex: { project: 'mock-project-123', location: 'us-central1' } },
  });
  await createModel(gw, providerId, 'vertex-embed', 'text-embedding-005', { mode: 'embedding', inputPrice: 0.0000001 });
  key = await createKey(gw);
  client = openaiClient(gw, key.key);
});

afterAll(async () => {
  await gw?.stop();
  await vertex?.close();
});

test('embeddings.create (base64, the SDK default) → :predict instances; vectors and token counts back', async () => {
  const answer = await client.embeddings.create({ model: 'vertex-embed', input: ['hello world', 'one two three'], dimensions: 4 });
  expect(answer.data.map((d) => d.embedding.map((v) => Number(v.toFixed(4))))).toEqual([
    [0.11, 0.12, 0.13, 0.14],
    [0.13, 0.14, 0.15, 0.16],
  ]);
  expect(answer.usage).toEqual({ prompt_tokens: 3 + 4, total_tokens: 7 });
  const req = vertex.requests.at(-1)!;
  expect(req.url).toBe('/v1/projects/mock-project-123/locations/us-central1/publishers/google/models/text-embedding-005:predict');
  expect(req.headers.authorization).toMatch(/^Bearer ya29\./);
  expect(req.body).toEqual({ instances: [{ content: 'hello world' }, { content: 'one two three' }], parameters: { outputDimensionality: 4 } });
  await gw.services.requestLogs.flush();
  const row = await gw.services.db.requestLog.findFirst({ where: { virtualKeyId: key.id }, orderBy: { createdAt: 'desc' } });
  expect(row).toMatchObject({ clientApi: 'embeddings', status: 200, inputTokens: 7, targetModel: 'text-embedding-005' });
  expect(row!.costUsd).toBeCloseTo(7 * 0.0000001, 12);
});

test('float encoding and a single string input', async () => {
  const res = await postRaw(gw, '/v1/embeddings', { model: 'vertex-embed', input: 'hi', encoding_format: 'float' }, { authorization: `Bearer ${key.key}` });
  expect(res.status).toBe(200);
  expect(res.json.data[0].embedding).toHaveLength(8);
  expect(res.json.data[0].embedding[0]).toBeCloseTo(0.02, 6);
  expect(vertex.requests.at(-1)!.body).toEqual({ instances: [{ content: 'hi' }] });
});

test('token-id inputs → 400 naming input', async () => {
  const res = await postRaw(gw, '/v1/embeddings', { model: 'vertex-embed', input: [[1, 2, 3]] }, { authorization: `Bearer ${key.key}` });
  expect(res.status).toBe(400);
  expect(res.json.error.param).toBe('input');
});
