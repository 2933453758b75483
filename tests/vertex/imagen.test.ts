/**
 * /v1/images/generations on Imagen through Vertex AI (`publishers/google/models/{model}:predict`),
 * driven by the official OpenAI SDK. The bearer token is minted from the service-account key
 * against the Vertex mock's own token endpoint; the strict Imagen upstream accepts it only when
 * the Vertex mock does (it asks the mock's countTokens route with the same token), and only
 * Imagen's body (instances with a prompt, parameters sampleCount / aspectRatio).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createKey, createModel, createProvider } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startVertexMock, type VertexMock } from '../support/mock-upstreams/vertex.js';
import { PNG_BASE64, startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';

const PROJECT = 'mock-project-123';
const LOCATION = 'us-central1';
const MODEL_PATH = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models`;

let gw: TestGateway;
let vertex: VertexMock;
let imagen: CustomUpstream;
let key: { key: string; id: string };

/** Whether the Vertex mock takes this bearer as one it issued. */
async function tokenAccepted(authorization: string | undefined): Promise<boolean> {
  const res = await fetch(`${vertex.url}${MODEL_PATH}/gemini-2.5-flash:countTokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: authorization ?? '' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'probe' }] }] }),
  });
  return res.status === 200;
}

beforeAll(async () => {
  gw = await startTestGateway();
  vertex = await startVertexMock({ project: PROJECT, location: LOCATION });
  imagen = await startCustomUpstream((req, body, res) => {
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    void (async () => {
      if (!(await tokenAccepted(req.headers.authorization)))
        return reply(401, { error: { code: 401, message: 'Request had invalid authentication credentials.' } });
      if (req.url !== `${MODEL_PATH}/imagen-4.0-generate-001:predict`) return reply(404, { error: { code: 404, message: `no route ${req.url}` } });
      const { sampleCount, aspectRatio: _aspectRatio, ...other } = body?.parameters ?? {};
      if (
        Object.keys(body ?? {})
          .sort()
          .join() !== 'instances,parameters' ||
        Object.keys(other).length ||
        typeof body.instances?.[0]?.prompt !== 'string'
      )
        return reply(400, { error: { code: 400, message: 'Invalid Imagen request' } });
      reply(200, { predictions: Array.from({ length: sampleCount }, () => ({ bytesBase64Encoded: PNG_BASE64, mimeType: 'image/png' })) });
    })();
  });
  const provider = await createProvider(gw, {
    name: 'vertex-imagen',
    type: 'vertex-gemini',
    baseUrl: imagen.url,
    apiKey: vertex.serviceAccount,
    options: { vertex: { project: PROJECT, location: LOCATION } },
  });
  await createModel(gw, provider, 'vertex-imagen', 'imagen-4.0-generate-001', { unitPrices: { image: 0.03 } });
  key = await createKey(gw);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([vertex?.close(), imagen?.close()]);
});

test('images.generate → Vertex :predict with a minted token; b64_json back, billed per image', async () => {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key.key, maxRetries: 0 });
  const answer = await client.images.generate({ model: 'vertex-imagen', prompt: 'a red door', n: 3, size: '1024x1792' });
  expect(answer.data?.map((d) => d.b64_json)).toEqual([PNG_BASE64, PNG_BASE64, PNG_BASE64]);
  const req = imagen.requests.at(-1)!;
  expect(req.headers.authorization).toMatch(/^Bearer /);
  expect(req.body).toEqual({ instances: [{ prompt: 'a red door' }], parameters: { sampleCount: 3, aspectRatio: '9:16' } });
  expect(vertex.tokensIssued).toBeGreaterThan(0);
  await gw.services.requestLogs.flush();
  const row = await gw.services.db.requestLog.findFirst({ where: { virtualKeyId: key.id }, orderBy: { createdAt: 'desc' } });
  expect(row).toMatchObject({ clientApi: 'image_generations', status: 200, targetModel: 'imagen-4.0-generate-001' });
  expect(row!.costUsd).toBeCloseTo(3 * 0.03, 9);
});
