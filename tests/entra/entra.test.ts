/**
 * Azure OpenAI with Microsoft Entra ID: the provider's API key is an app registration's
 * client secret, exchanged on a loopback Entra token endpoint (client credentials) for a
 * bearer token that the Azure mock requires; tokens are cached and refreshed before they
 * expire. Every client API, through the official SDKs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { ENTRA, startEntraMock, type EntraMock } from '../support/mock-upstreams/entra.js';
import { anthropicClient, createKey, createModel, createProvider, openaiClient, postRaw } from '../support/proxy-fixture.js';
import type { RecordedRequest } from '../support/mock-upstreams/types.js';
import { APIS, drivers, type Api, type Driver } from '../bedrock/client-drivers.js';

const MODEL = 'azure-entra';
const DEPLOYMENT = 'prod-gpt4o-deployment';

let gw: TestGateway;
let entra: EntraMock;
let shortLived: EntraMock;
let key: string;
let clients: Record<Api, Driver>;

const entraProvider = (name: string, mock: EntraMock, secret = ENTRA.clientSecret) => ({
  name,
  type: 'azure-openai',
  baseUrl: mock.url,
  apiKey: secret,
  options: { apiVersion: '2024-10-21', entra: { tenantId: ENTRA.tenantId, clientId: ENTRA.clientId, authorityHost: mock.url } },
});

/** What a mock's model route received last. */
const lastRequest = (mock: { requests: RecordedRequest[] }): RecordedRequest => {
  const req = mock.requests.at(-1);
  if (!req) throw new Error('the mock received no request');
  return req;
};

beforeAll(async () => {
  gw = await startTestGateway();
  entra = await startEntraMock();
  shortLived = await startEntraMock({ tokenLifetimeSeconds: 2 });
  await createModel(gw, await createProvider(gw, entraProvider('azure-entra', entra)), MODEL, DEPLOYMENT);
  await createModel(gw, await createProvider(gw, entraProvider('azure-entra-short', shortLived)), 'azure-short', DEPLOYMENT);
  await createModel(gw, await createProvider(gw, entraProvider('azure-entra-wrong', entra, 'not~the.right.secret.0123456789')), 'azure-wrong', DEPLOYMENT);
  key = (await createKey(gw)).key;
  clients = drivers(openaiClient(gw, key), anthropicClient(gw, key));
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([entra?.close(), shortLived?.close()]);
});

describe.each(APIS)('%s client → Azure OpenAI with Entra ID', (api) => {
  test.each([false, true])('text (stream: %s) with a system prompt and usage', async (stream) => {
    const prompt = `hello ${api} ${stream ? 'streamed' : 'whole'}`;
    const answer = await clients[api].text(MODEL, prompt, 'Be brief.', stream);
    expect(answer).toEqual({ text: `Hello from azure-openai: ${prompt}`, stop: clients[api].naturalStop, usage: { input: 12, output: 8, cached: 0 } });
    const req = lastRequest(entra);
    expect(req.url).toBe(`/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=2024-10-21`);
    expect(String(req.headers.authorization)).toMatch(/^Bearer eyJ/);
    // The client secret never travels to the resource.
    expect(req.headers).not.toHaveProperty('api-key');
  });

  test.each([false, true])('tool call round trip (stream: %s)', async (stream) => {
    const turn = await clients[api].toolRoundTrip(MODEL, stream, 'sunny, 21 C');
    expect(turn).toMatchObject({ name: 'get_weather', args: { city: 'Paris' }, stop: clients[api].toolStop, final: 'Tool said: sunny, 21 C' });
  });

  test('image input', async () => {
    expect(await clients[api].image(MODEL)).toBe('I see an image (image/png)');
  });

  test('cached usage', async () => {
    entra.azure.setUsage({ input: 100, output: 20, cached: 40 });
    try {
      for (const stream of [false, true])
        expect((await clients[api].text(MODEL, 'count', 'Be brief.', stream)).usage).toEqual({ input: 100, output: 20, cached: 40 });
    } finally {
      entra.azure.setUsage({ input: 12, output: 8 });
    }
  });

  test.each([false, true])('an upstream rate limit reaches the client as 429 (stream: %s)', async (stream) => {
    entra.azure.enqueue({ type: 'error', status: 429 });
    expect((await clients[api].failure(MODEL, stream)).status).toBe(429);
  });

  test("a request the upstream refuses is the client's 400", async () => {
    entra.azure.enqueue({ type: 'error', status: 400 });
    expect((await clients[api].failure(MODEL, false)).status).toBe(400);
  });
});

describe('Entra ID tokens', () => {
  test('minted once for many requests, concurrent ones included', async () => {
    const before = entra.tokenRequests;
    await Promise.all(Array.from({ length: 5 }, (_, i) => clients.chat.text(MODEL, `parallel ${i}`, 'Be brief.', false)));
    expect(entra.tokenRequests).toBe(before);
    expect(entra.tokensIssued).toBe(1);
  });

  test('refreshed before it expires', async () => {
    const a = await openaiClient(gw, key).chat.completions.create({ model: 'azure-short', messages: [{ role: 'user', content: 'first' }] });
    expect(a.choices[0].message.content).toBe('Hello from azure-openai: first');
    const firstToken = lastRequest(shortLived).headers.authorization;
    expect(shortLived.tokensIssued).toBe(1);
    // A 2 s token is refreshed from its halfway point, while it is still valid.
    await new Promise((r) => setTimeout(r, 1200));
    await openaiClient(gw, key).chat.completions.create({ model: 'azure-short', messages: [{ role: 'user', content: 'second' }] });
    expect(shortLived.tokensIssued).toBe(2);
    expect(lastRequest(shortLived).headers.authorization).not.toBe(firstToken);
  });

  test("a client secret Entra refuses is the gateway's credential failure, without the secret", async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'azure-wrong', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('upstream_credentials');
    expect(res.json.error.message).toContain('invalid_client');
    expect(res.text).not.toContain('not~the.right.secret');
  });

  test('the client secret is never returned by the admin API', async () => {
    const data = await gw.admin<{ providers: Array<Record<string, unknown>> }>('{ providers { name apiKeyHint hasApiKey options } }');
    expect(JSON.stringify(data)).not.toContain(ENTRA.clientSecret);
    expect(data.providers.find((p) => p.name === 'azure-entra')).toMatchObject({
      hasApiKey: true,
      options: { entra: { tenantId: ENTRA.tenantId, clientId: ENTRA.clientId } },
    });
  });

  test('entra options need a tenant and a client id', async () => {
    await expect(
      createProvider(gw, { name: 'entra-incomplete', type: 'azure-openai', baseUrl: entra.url, options: { entra: { tenantId: ENTRA.tenantId } } }),
    ).rejects.toThrow(/clientId/);
  });
});
