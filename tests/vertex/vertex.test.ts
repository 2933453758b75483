/**
 * Google Vertex AI behind the gateway: Gemini (generateContent on the Vertex path) and
 * Anthropic Claude (rawPredict / streamRawPredict), authenticated with a bearer token the
 * gateway mints from a service-account key file against the mock's own token endpoint.
 * Every client API, through the official SDKs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeyPair, exportPKCS8 } from 'jose';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startVertexMock, type VertexMock } from '../support/mock-upstreams/vertex.js';
import { anthropicClient, createKey, createModel, createProvider, openaiClient, postRaw } from '../support/proxy-fixture.js';
import type { RecordedRequest } from '../support/mock-upstreams/types.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { APIS, drivers, type Api, type Driver } from '../bedrock/client-drivers.js';

type Publisher = 'gemini' | 'anthropic';
const PUBLISHERS: Publisher[] = ['gemini', 'anthropic'];
const UPSTREAM: Record<Publisher, string> = { gemini: 'gemini-2.5-flash', anthropic: 'claude-sonnet-4-5@20250929' };
const model = (p: Publisher) => `vertex-${p}`;

let gw: TestGateway;
let vertex: VertexMock;
let key: string;
let clients: Record<Api, Driver>;
const inner = (p: Publisher): MockUpstream => (p === 'gemini' ? vertex.gemini : vertex.anthropic);

/** What a mock's model route received last. */
const lastRequest = (mock: { requests: RecordedRequest[] }): RecordedRequest => {
  const req = mock.requests.at(-1);
  if (!req) throw new Error('the mock received no request');
  return req;
};

beforeAll(async () => {
  gw = await startTestGateway();
  vertex = await startVertexMock({ project: 'mock-project-123', location: 'us-east5' });
  // Gemini names its project; Anthropic takes the service account's own project_id.
  const geminiId = await createProvider(gw, {
    name: 'vertex-gemini',
    type: 'vertex-gemini',
    baseUrl: vertex.url,
    apiKey: vertex.serviceAccount,
    options: { vertex: { project: 'mock-project-123', location: 'us-east5' } },
  });
  await createModel(gw, geminiId, model('gemini'), UPSTREAM.gemini);
  const anthropicId = await createProvider(gw, {
    name: 'vertex-anthropic',
    type: 'vertex-anthropic',
    baseUrl: vertex.url,
    apiKey: vertex.serviceAccount,
    options: { vertex: { location: 'us-east5' } },
  });
  await createModel(gw, anthropicId, model('anthropic'), UPSTREAM.anthropic);
  key = (await createKey(gw)).key;
  clients = drivers(openaiClient(gw, key), anthropicClient(gw, key));
});

afterAll(async () => {
  await gw?.stop();
  await vertex?.close();
});

describe.each(PUBLISHERS.flatMap((publisher) => APIS.map((api) => ({ publisher, api }))))('$api client → Vertex AI $publisher', ({ publisher, api }) => {
  test.each([false, true])('text (stream: %s) with a system prompt and usage', async (stream) => {
    const driver = clients[api];
    const prompt = `hello ${api} ${stream ? 'streamed' : 'whole'}`;
    const answer = await driver.text(model(publisher), prompt, 'Be brief.', stream);
    expect(answer).toEqual({ text: `Hello from ${publisher}: ${prompt}`, stop: driver.naturalStop, usage: { input: 12, output: 8, cached: 0 } });
    const req = lastRequest(vertex);
    const base = `/v1/projects/mock-project-123/locations/us-east5/publishers/${publisher === 'gemini' ? 'google' : 'anthropic'}/models/${encodeURIComponent(UPSTREAM[publisher])}`;
    if (publisher === 'gemini') expect(req.url).toBe(`${base}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`);
    else {
      expect(req.url).toBe(`${base}:${stream ? 'streamRawPredict' : 'rawPredict'}`);
      expect(req.body.anthropic_version).toBe('vertex-2023-10-16');
      expect(req.body).not.toHaveProperty('model');
    }
    expect(String(req.headers.authorization)).toMatch(/^Bearer ya29\./);
    expect(req.headers).not.toHaveProperty('x-goog-api-key');
  });

  test.each([false, true])('tool call round trip (stream: %s)', async (stream) => {
    const turn = await clients[api].toolRoundTrip(model(publisher), stream, 'sunny, 21 C');
    expect(turn).toMatchObject({ name: 'get_weather', args: { city: 'Paris' }, stop: clients[api].toolStop, final: 'Tool said: sunny, 21 C' });
  });

  test('image input', async () => {
    expect(await clients[api].image(model(publisher))).toBe('I see an image (image/png)');
  });

  test('cached usage, whole and streamed', async () => {
    inner(publisher).setUsage({ input: 100, output: 20, cached: 40 });
    try {
      for (const stream of [false, true])
        expect((await clients[api].text(model(publisher), 'count', 'Be brief.', stream)).usage).toEqual({ input: 100, output: 20, cached: 40 });
    } finally {
      inner(publisher).setUsage({ input: 12, output: 8 });
    }
  });

  test.each([false, true])('an upstream rate limit reaches the client as 429 (stream: %s)', async (stream) => {
    inner(publisher).enqueue({ type: 'error', status: 429 });
    const failure = await clients[api].failure(model(publisher), stream);
    expect(failure.status).toBe(429);
  });

  test("a request the upstream refuses is the client's 400", async () => {
    inner(publisher).enqueue({ type: 'error', status: 400 });
    expect((await clients[api].failure(model(publisher), false)).status).toBe(400);
  });
});

describe('service-account tokens', () => {
  test('one token per provider, minted once and reused across requests', async () => {
    const before = vertex.tokensIssued;
    for (const p of PUBLISHERS) await clients.chat.text(model(p), 'again', 'Be brief.', false);
    expect(vertex.tokensIssued).toBe(before);
    expect(before).toBe(2);
  });

  test("a key the token endpoint refuses is the gateway's credential failure, without the key in the message", async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const wrongPem = await exportPKCS8(privateKey);
    const wrong = JSON.stringify({ ...JSON.parse(vertex.serviceAccount), private_key: wrongPem });
    const id = await createProvider(gw, {
      name: 'vertex-wrong',
      type: 'vertex-gemini',
      baseUrl: vertex.url,
      apiKey: wrong,
      options: { vertex: { location: 'us-east5' } },
    });
    await createModel(gw, id, 'vertex-wrong', UPSTREAM.gemini);
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'vertex-wrong', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('upstream_credentials');
    expect(res.json.error.message).toContain('invalid_grant');
    expect(res.text).not.toContain('PRIVATE KEY');
  });

  test("a Messages body sent as the client's own bytes (public name = Vertex model) still loses its model and gains the version", async () => {
    const id = await createProvider(gw, {
      name: 'vertex-anthropic-same-name',
      type: 'vertex-anthropic',
      baseUrl: vertex.url,
      apiKey: vertex.serviceAccount,
      options: { vertex: { location: 'us-east5' } },
    });
    await createModel(gw, id, UPSTREAM.anthropic, UPSTREAM.anthropic);
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: UPSTREAM.anthropic, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    );
    // The Vertex mock refuses a body with a model or without the version (400), as Vertex does.
    expect(res.status).toBe(200);
  });

  test('an API key that is not a service account is refused with a reason', async () => {
    const id = await createProvider(gw, {
      name: 'vertex-plain',
      type: 'vertex-anthropic',
      baseUrl: vertex.url,
      apiKey: 'just-a-plain-api-key',
      options: { vertex: { project: 'mock-project-123', location: 'us-east5' } },
    });
    await createModel(gw, id, 'vertex-plain', UPSTREAM.anthropic);
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: 'vertex-plain', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(502);
    expect(res.json.error.message).toContain('service-account JSON');
  });

  test('a line of the private key quoted in an upstream error is scrubbed before it reaches the client', async () => {
    const line = vertex.privateKey.split('\n')[2];
    vertex.gemini.enqueue({ type: 'error', status: 400, body: { error: { code: 400, message: `bad key material: ${line}`, status: 'INVALID_ARGUMENT' } } });
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: model('gemini'), messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('bad key material');
    expect(res.text).not.toContain(line);
  });

  test('the service account is never returned by the admin API', async () => {
    const data = await gw.admin<{ providers: Array<Record<string, unknown>> }>('{ providers { name apiKeyHint hasApiKey options } }');
    const text = JSON.stringify(data);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(vertex.privateKey.split('\n')[1]);
    expect(data.providers.find((p) => p.name === 'vertex-gemini')).toMatchObject({ hasApiKey: true });
  });
});
