/**
 * Amazon Bedrock (Converse / ConverseStream) behind the gateway: every client API,
 * through the official SDKs, against a strict loopback Bedrock that checks each
 * request's SigV4 signature with the configured secret and answers streams in AWS
 * event-stream frames (CRC-checked by the gateway's reader).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { createBedrockProvider } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { BEDROCK_CREDENTIALS, startBedrockMock, type BedrockMock } from '../support/mock-upstreams/bedrock.js';
import { anthropicClient, createKey, createModel, createProvider, lastRequest, openaiClient, parseSse, postRaw } from '../support/proxy-fixture.js';
import { APIS, drivers, type Api, type Driver } from './client-drivers.js';

const MODEL = 'claude-on-bedrock';
const UPSTREAM_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEMockSessionToken0123456789';

let gw: TestGateway;
let mock: BedrockMock;
let temporary: BedrockMock;
let keyed: BedrockMock;
let key: string;
let oai: OpenAI;
let ant: Anthropic;
let clients: Record<Api, Driver>;
let providerId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  mock = await startBedrockMock();
  temporary = await startBedrockMock({ sessionToken: SESSION_TOKEN, accessKeyId: 'ASIAMOCKTEMPORARY123' });
  keyed = await startBedrockMock({ bearerKey: 'ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk=' });
  providerId = await createBedrockProvider(gw, { name: 'bedrock', type: 'bedrock', baseUrl: mock.url });
  await createModel(gw, providerId, MODEL, UPSTREAM_MODEL);
  const temporaryId = await createProvider(gw, {
    name: 'bedrock-sts',
    type: 'bedrock',
    baseUrl: temporary.url,
    apiKey: JSON.stringify({
      Credentials: { AccessKeyId: 'ASIAMOCKTEMPORARY123', SecretAccessKey: BEDROCK_CREDENTIALS.secretAccessKey, SessionToken: SESSION_TOKEN },
    }),
    options: { aws: { region: BEDROCK_CREDENTIALS.region } },
  });
  await createModel(gw, temporaryId, 'bedrock-sts', 'amazon.nova-pro-v1:0');
  const keyedId = await createProvider(gw, { name: 'bedrock-key', type: 'bedrock', baseUrl: keyed.url, apiKey: 'ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk=' });
  await createModel(gw, keyedId, 'bedrock-key', 'amazon.nova-lite-v1:0');
  const wrongId = await createBedrockProvider(gw, { name: 'bedrock-wrong-secret', type: 'bedrock', baseUrl: mock.url, wrongSecret: true });
  await createModel(gw, wrongId, 'bedrock-wrong', UPSTREAM_MODEL);
  key = (await createKey(gw)).key;
  oai = openaiClient(gw, key);
  ant = anthropicClient(gw, key);
  clients = drivers(oai, ant);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([mock, temporary, keyed].map((m) => m?.close()));
});

describe.each(APIS)('%s client → Bedrock Converse', (api) => {
  test.each([false, true])('text (stream: %s) with a system prompt and usage', async (stream) => {
    const driver = clients[api];
    mock.setUsage({ input: 12, output: 8 });
    const prompt = `hello ${api} ${stream ? 'streamed' : 'whole'}`;
    const answer = await driver.text(MODEL, prompt, 'Be brief.', stream);
    expect(answer).toEqual({ text: `Hello from bedrock: ${prompt}`, stop: driver.naturalStop, usage: { input: 12, output: 8, cached: 0 } });

    const req = lastRequest(mock);
    // The model id is one path segment, its ':' percent-encoded (the signature covers the encoded path).
    expect(req.url).toBe(`/model/${encodeURIComponent(UPSTREAM_MODEL)}/${stream ? 'converse-stream' : 'converse'}`);
    expect(req.body.system).toEqual([{ text: 'Be brief.' }]);
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ text: prompt }] }]);
    expect(req.body).not.toHaveProperty('model');
    expect(req.body).not.toHaveProperty('stream');
    expect(String(req.headers.authorization)).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${BEDROCK_CREDENTIALS.accessKeyId}/\\d{8}/us-west-2/bedrock/aws4_request`),
    );
  });

  test.each([false, true])('tool call round trip (stream: %s)', async (stream) => {
    const before = mock.requests.length;
    const turn = await clients[api].toolRoundTrip(MODEL, stream, 'sunny, 21 C');
    expect(turn).toMatchObject({ name: 'get_weather', args: { city: 'Paris' }, stop: clients[api].toolStop, final: 'Tool said: sunny, 21 C' });
    const [first, second] = mock.requests.slice(before);
    expect(first.body.toolConfig.tools).toEqual([
      {
        toolSpec: {
          name: 'get_weather',
          description: 'Current weather',
          inputSchema: { json: expect.objectContaining({ properties: { city: { type: 'string' } } }) },
        },
      },
    ]);
    const use = second.body.messages[1].content.find((b: any) => b.toolUse).toolUse;
    const result = second.body.messages[2].content.find((b: any) => b.toolResult).toolResult;
    expect(use).toEqual({ toolUseId: turn.id, name: 'get_weather', input: { city: 'Paris' } });
    expect(result).toEqual({ toolUseId: turn.id, content: [{ text: 'sunny, 21 C' }] });
  });

  test('image input as bytes', async () => {
    expect(await clients[api].image(MODEL)).toBe('I see an image (image/png)');
    const image = lastRequest(mock).body.messages[0].content.find((b: any) => b.image).image;
    expect(image.format).toBe('png');
    expect(image.source.bytes).toMatch(/^iVBORw0KGgo/);
  });

  test('cache reads count inside the input, whole and streamed', async () => {
    mock.setUsage({ input: 100, output: 20, cached: 40 });
    try {
      for (const stream of [false, true]) {
        const answer = await clients[api].text(MODEL, 'count my tokens', 'Be brief.', stream);
        expect(answer.usage).toEqual({ input: 100, output: 20, cached: 40 });
      }
    } finally {
      mock.setUsage({ input: 12, output: 8 });
    }
  });

  test.each([false, true])('an upstream throttling error reaches the client as 429 (stream: %s)', async (stream) => {
    mock.enqueue({ type: 'error', status: 429, body: { message: 'Too many requests, please wait before trying again.' } });
    const failure = await clients[api].failure(MODEL, stream);
    expect(failure.status).toBe(429);
    expect(failure.message).toContain('Too many requests');
  });

  test("a request Bedrock refuses is the client's 400, with Bedrock's reason", async () => {
    mock.enqueue({ type: 'error', status: 400, body: { message: 'The model returned the following errors: max_tokens: 999999 > 64000' } });
    const failure = await clients[api].failure(MODEL, false);
    expect(failure.status).toBe(400);
    expect(failure.message).toContain('max_tokens: 999999 > 64000');
  });
});

describe('requests Converse cannot carry', () => {
  test('an image by URL is refused before any upstream call', async () => {
    const before = mock.requests.length;
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      {
        model: MODEL,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://images.example.com/cat.png' } }] }],
      },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('base64');
    expect(mock.requests.length).toBe(before);
  });

  test("a malformed client body is a 400 in the client's format", async () => {
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: MODEL, messages: 'not a list', max_tokens: 10 },
      { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(400);
    expect(res.json.type).toBe('error');
    expect(res.json.error.type).toBe('invalid_request_error');
  });
});

describe('what reaches Bedrock', () => {
  test('Anthropic prompt caching becomes cachePoint blocks; thinking and top_k go to additionalModelRequestFields', async () => {
    // top_k is still accepted by the Messages API; this SDK version no longer types it.
    const request = {
      model: MODEL,
      max_tokens: 4000,
      top_k: 5,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      system: [{ type: 'text' as const, text: 'A long, stable system prompt.', cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: 'hello cache' }],
    };
    await ant.messages.create(request);
    const body = lastRequest(mock).body;
    expect(body.system).toEqual([{ text: 'A long, stable system prompt.' }, { cachePoint: { type: 'default' } }]);
    expect(body.inferenceConfig).toEqual({ maxTokens: 4000 });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 5, thinking: { type: 'enabled', budget_tokens: 2048 } });
  });

  test('a follow-up that no longer offers tools still declares the ones its history used', async () => {
    const done = await oai.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'tooluse_1', content: 'sunny' },
      ],
    });
    expect(done.choices[0].message.content).toBe('Tool said: sunny');
    expect(lastRequest(mock).body.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }] });
  });

  test('streamed reasoning reaches an Anthropic client as a signed thinking block', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'Let me think about it.', text: 'Forty-two.' });
    const done = await ant.messages.stream({ model: MODEL, max_tokens: 4000, messages: [{ role: 'user', content: 'think' }] }).finalMessage();
    expect(done.content[0]).toMatchObject({ type: 'thinking', thinking: 'Let me think about it.', signature: expect.stringMatching(/^sig_/) });
    expect(done.content[1]).toMatchObject({ type: 'text', text: 'Forty-two.' });
  });
});

describe('credentials', () => {
  test('temporary credentials (JSON with a session token) sign with x-amz-security-token', async () => {
    const done = await oai.chat.completions.create({ model: 'bedrock-sts', messages: [{ role: 'user', content: 'temporary' }] });
    expect(done.choices[0].message.content).toBe('Hello from bedrock: temporary');
    expect(lastRequest(temporary).headers['x-amz-security-token']).toBe(SESSION_TOKEN);
  });

  test('a Bedrock API key goes as a bearer token', async () => {
    const done = await oai.chat.completions.create({ model: 'bedrock-key', messages: [{ role: 'user', content: 'keyed' }] });
    expect(done.choices[0].message.content).toBe('Hello from bedrock: keyed');
    expect(lastRequest(keyed).headers.authorization).toBe('Bearer ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk=');
  });

  test("a wrong secret access key fails the signature check: the gateway's credentials, not the caller, are blamed", async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'bedrock-wrong', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('upstream_credentials_rejected');
    expect(res.text).not.toContain('not/the/Secret');
  });

  test('the secret access key is never returned by the admin API', async () => {
    const data = await gw.admin<{ providers: Array<Record<string, unknown>> }>('{ providers { id name apiKeyHint hasApiKey options } }');
    const text = JSON.stringify(data);
    expect(text).not.toContain(BEDROCK_CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(SESSION_TOKEN);
    const own = data.providers.find((p) => p.id === providerId)!;
    expect(own.hasApiKey).toBe(true);
    expect(own.options).toEqual({ aws: { region: BEDROCK_CREDENTIALS.region, accessKeyId: BEDROCK_CREDENTIALS.accessKeyId } });
  });

  test('options are checked: a malformed region is refused', async () => {
    await expect(createProvider(gw, { name: 'bad-region', type: 'bedrock', baseUrl: mock.url, options: { aws: { region: 'Mars 1' } } })).rejects.toThrow(
      /region/,
    );
  });
});

describe('event-stream framing', () => {
  const headers = () => ({ authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' });

  test("an exception frame mid-stream ends the client's stream with an error event", async () => {
    mock.failStreamWith('modelStreamErrorException', 'The model stopped unexpectedly.');
    const res = await postRaw(gw, '/v1/messages', { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'break' }], stream: true }, headers());
    const events = parseSse(res.text);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { type: 'error', error: { message: expect.stringContaining('The model stopped unexpectedly.') } },
    });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
  });

  test('a frame with a broken CRC is a broken upstream, not text', async () => {
    mock.corruptNextStream();
    const res = await postRaw(gw, '/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'corrupt' }], stream: true }, headers());
    expect(res.text).toMatch(/corrupt|checksum/i);
    expect(res.text).not.toContain('[DONE]');
  });

  test('a stream cut before its metadata event is reported as truncated', async () => {
    mock.enqueue({ type: 'drop_mid_stream', text: 'this answer will be cut somewhere in the middle' });
    const res = await postRaw(gw, '/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'drop' }], stream: true }, headers());
    expect(res.text).not.toContain('[DONE]');
    expect(res.text).toMatch(/error/);
  });
});
