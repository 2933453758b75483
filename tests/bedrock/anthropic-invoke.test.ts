/**
 * Anthropic models on Amazon Bedrock through InvokeModel / InvokeModelWithResponseStream
 * (provider type `bedrock-anthropic`): every client API through the official SDKs,
 * against a strict loopback Bedrock that checks each request's SigV4 signature with
 * the configured secret, refuses `model`/`stream` in the body, requires Bedrock's
 * anthropic_version, and streams Anthropic events inside event-stream `chunk` frames.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { createBedrockProvider } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { BEDROCK_CREDENTIALS } from '../support/mock-upstreams/bedrock.js';
import { anthropicClient, createKey, createModel, lastRequest, openaiClient, parseSse, postRaw } from '../support/proxy-fixture.js';
import { APIS, drivers, type Api, type Driver } from './client-drivers.js';
import { startBedrockAnthropicMock, type BedrockAnthropicMock } from './anthropic-invoke-mock.js';

const MODEL = 'claude-invoke';
const UPSTREAM_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const SIGV4 = new RegExp(
  `^AWS4-HMAC-SHA256 Credential=${BEDROCK_CREDENTIALS.accessKeyId}/\\d{8}/us-west-2/bedrock/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
);

let gw: TestGateway;
let mock: BedrockAnthropicMock;
let key: string;
let oai: OpenAI;
let ant: Anthropic;
let clients: Record<Api, Driver>;

beforeAll(async () => {
  gw = await startTestGateway();
  mock = await startBedrockAnthropicMock();
  const providerId = await createBedrockProvider(gw, { name: 'bedrock-claude', type: 'bedrock-anthropic', baseUrl: mock.url });
  await createModel(gw, providerId, MODEL, UPSTREAM_MODEL);
  const wrongId = await createBedrockProvider(gw, { name: 'bedrock-claude-wrong', type: 'bedrock-anthropic', baseUrl: mock.url, wrongSecret: true });
  await createModel(gw, wrongId, 'claude-invoke-wrong', UPSTREAM_MODEL);
  key = (await createKey(gw)).key;
  oai = openaiClient(gw, key);
  ant = anthropicClient(gw, key);
  clients = drivers(oai, ant);
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

describe.each(APIS)('%s client → Bedrock InvokeModel (Anthropic)', (api) => {
  test.each([false, true])('text (stream: %s) with a system prompt and usage', async (stream) => {
    const driver = clients[api];
    mock.setUsage({ input: 12, output: 8 });
    const prompt = `hello ${api} ${stream ? 'streamed' : 'whole'}`;
    const answer = await driver.text(MODEL, prompt, 'Be brief.', stream);
    expect(answer).toEqual({ text: `Hello from anthropic: ${prompt}`, stop: driver.naturalStop, usage: { input: 12, output: 8, cached: 0 } });
    const req = lastRequest(mock);
    expect(req.url).toBe(`/model/${encodeURIComponent(UPSTREAM_MODEL)}/${stream ? 'invoke-with-response-stream' : 'invoke'}`);
    expect(req.body.anthropic_version).toBe('bedrock-2023-05-31');
    expect(req.body).not.toHaveProperty('model');
    expect(req.body).not.toHaveProperty('stream');
    expect(req.body.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(String(req.headers.authorization)).toMatch(SIGV4);
    expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(req.headers).not.toHaveProperty('x-api-key');
  });

  test.each([false, true])('tool call round trip (stream: %s)', async (stream) => {
    const before = mock.requests.length;
    const turn = await clients[api].toolRoundTrip(MODEL, stream, 'sunny, 21 C');
    expect(turn).toMatchObject({ name: 'get_weather', args: { city: 'Paris' }, stop: clients[api].toolStop, final: 'Tool said: sunny, 21 C' });
    const [first, second] = mock.requests.slice(before);
    expect(first.body.tools).toEqual([expect.objectContaining({ name: 'get_weather', description: 'Current weather' })]);
    const use = second.body.messages[1].content.find((b: any) => b.type === 'tool_use');
    expect(use).toMatchObject({ id: turn.id, name: 'get_weather', input: { city: 'Paris' } });
  });

  test('image input', async () => {
    expect(await clients[api].image(MODEL)).toBe('I see an image (image/png)');
    const image = lastRequest(mock).body.messages[0].content.find((b: any) => b.type === 'image');
    expect(image.source).toMatchObject({ type: 'base64', media_type: 'image/png' });
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
    mock.enqueue({ type: 'error', status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Too many requests, please wait.' } } });
    const failure = await clients[api].failure(MODEL, stream);
    expect(failure.status).toBe(429);
    expect(failure.message).toContain('Too many requests');
  });
});

describe('what reaches Bedrock', () => {
  test('cache_control and thinking pass as Anthropic spells them; the signed thinking block comes back', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'Let me think about it.', text: 'Forty-two.' });
    const done = await ant.messages.create({
      model: MODEL,
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      system: [{ type: 'text', text: 'A long, stable system prompt.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'think', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    const body = lastRequest(mock).body;
    expect(body.system).toEqual([{ type: 'text', text: 'A long, stable system prompt.', cache_control: { type: 'ephemeral' } }]);
    expect(body.messages[0].content[0]).toEqual({ type: 'text', text: 'think', cache_control: { type: 'ephemeral', ttl: '1h' } });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body.max_tokens).toBe(4000);
    expect(done.content[0]).toMatchObject({ type: 'thinking', thinking: 'Let me think about it.', signature: expect.stringMatching(/^sig_/) });
    expect(done.content[1]).toMatchObject({ type: 'text', text: 'Forty-two.' });
  });

  test('streamed thinking reaches an Anthropic client as a signed thinking block', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'Step by step.', text: 'Done.' });
    const done = await ant.messages
      .stream({ model: MODEL, max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'think' }] })
      .finalMessage();
    expect(lastRequest(mock).url).toMatch(/\/invoke-with-response-stream$/);
    expect(done.content[0]).toMatchObject({ type: 'thinking', thinking: 'Step by step.', signature: expect.stringMatching(/^sig_/) });
    expect(done.content[1]).toMatchObject({ type: 'text', text: 'Done.' });
  });

  test("a request Bedrock refuses is the client's 400, with Bedrock's reason", async () => {
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: MODEL, max_tokens: 10, messages: [{ role: 'assistant', content: 'I speak first' }] },
      { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe('invalid_request_error');
  });

  test("a wrong secret access key fails the mock's signature check", async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'claude-invoke-wrong', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(502);
    expect(res.json.error.code).toBe('upstream_credentials_rejected');
    expect(res.text).not.toContain('not/the/Secret');
  });

  test("an exception frame mid-stream ends the client's stream with an error event", async () => {
    mock.failStreamWith('modelStreamErrorException', 'The model stopped unexpectedly.');
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'break' }], stream: true },
      { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' },
    );
    const events = parseSse(res.text);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: { type: 'error', error: { message: expect.stringContaining('The model stopped unexpectedly.') } },
    });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
  });

  test('a stream that ends before message_stop is reported as truncated, not as a finished answer', async () => {
    mock.cutNextStream();
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: MODEL, messages: [{ role: 'user', content: 'cut' }], stream: true },
      { authorization: `Bearer ${key}` },
    );
    expect(res.text).not.toContain('[DONE]');
    expect(res.text).toContain('message_stop');
  });
});
