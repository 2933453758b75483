/**
 * previous_response_id through the gateway with the official openai SDK: the gateway keeps
 * what it answered (unless `store: false`) and, for a stateless or other-format upstream,
 * sends the whole conversation; a Responses upstream that stored the response itself gets
 * the id passed through. Unknown, expired, evicted or another key's ids get OpenAI's 400.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, createKey, createModel, createProvider, openaiClient, postRaw } from '../support/proxy-fixture.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../support/mock-upstreams/scripted-upstream.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { REDIS_URL, deletePrefix, uniquePrefix } from '../limits/support.js';
import { skipUnlessServices } from '../support/services.js';

let gw: TestGateway;
let chat: MockUpstream;
let anthropic: MockUpstream;
let storing: ScriptedUpstream;
let relay: ScriptedUpstream;
let client: OpenAI;

beforeAll(async () => {
  gw = await startTestGateway();
  ({ mock: chat } = await addUpstream(gw, 'openai-chat'));
  ({ mock: anthropic } = await addUpstream(gw, 'anthropic'));
  storing = await startScriptedUpstream('openai-responses');
  const provider = await createProvider(gw, { name: 'storing-responses', type: 'openai-responses', baseUrl: storing.url });
  await createModel(gw, provider, 'm-storing-responses', 'gpt-5');
  relay = await startScriptedUpstream('openai-responses');
  const relayProvider = await createProvider(gw, { name: 'relay-responses', type: 'codex-relay', baseUrl: relay.url });
  await createModel(gw, relayProvider, 'm-relay', 'gpt-5-codex');
  client = openaiClient(gw, (await createKey(gw)).key);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all([chat?.close(), anthropic?.close(), storing?.close(), relay?.close()]);
});

const lastBody = (mock: MockUpstream) => mock.requests.at(-1)!.body;

describe('a chat upstream (stateless, another format)', () => {
  test('the follow-up reaches the upstream with the stored turn before the new input', async () => {
    const first = await client.responses.create({ model: 'm-openai-chat', instructions: 'Be brief.', input: 'What is the capital of France?' });
    expect(first.output_text).toBe('Hello from openai-chat: What is the capital of France?');
    const second = await client.responses.create({ model: 'm-openai-chat', input: 'And of Italy?', previous_response_id: first.id });
    expect(second.output_text).toBe('Hello from openai-chat: And of Italy?');
    // As at OpenAI, the earlier request's instructions are not carried over.
    expect(lastBody(chat).messages).toEqual([
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Hello from openai-chat: What is the capital of France?' },
      { role: 'user', content: 'And of Italy?' },
    ]);
  });

  test('a chain of three continues from the latest response', async () => {
    const r1 = await client.responses.create({ model: 'm-openai-chat', input: 'one' });
    const r2 = await client.responses.create({ model: 'm-openai-chat', input: 'two', previous_response_id: r1.id });
    await client.responses.create({ model: 'm-openai-chat', input: 'three', previous_response_id: r2.id });
    expect(lastBody(chat).messages.map((m: { role: string; content: string }) => `${m.role}:${m.content}`)).toEqual([
      'user:one',
      'assistant:Hello from openai-chat: one',
      'user:two',
      'assistant:Hello from openai-chat: two',
      'user:three',
    ]);
  });

  test('a tool round trip: the function_call_output continues the stored function call', async () => {
    const tools: OpenAI.Responses.Tool[] = [
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather of a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: false,
      },
    ];
    const first = await client.responses.create({ model: 'm-openai-chat', tools, input: 'What is the weather in Paris?' });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    const callId = (call as OpenAI.Responses.ResponseFunctionToolCall).call_id;
    const second = await client.responses.create({
      model: 'm-openai-chat',
      tools,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: callId, output: 'sunny, 24 °C' }],
    });
    expect(second.output_text).toBe('Tool said: sunny, 24 °C');
    const messages = lastBody(chat).messages;
    expect(messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: callId, function: { name: 'get_weather' } }] });
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: callId, content: 'sunny, 24 °C' });
  });
});

describe('an Anthropic upstream', () => {
  test('a streamed answer is stored too, and the follow-up arrives as alternating Messages turns', async () => {
    const stream = await client.responses.create({ model: 'm-anthropic', input: 'Tell me a joke', stream: true });
    let id: string | undefined;
    for await (const event of stream) if (event.type === 'response.completed') id = event.response.id;
    expect(id).toMatch(/^resp_/);
    const second = await client.responses.create({ model: 'm-anthropic', input: 'Another one', previous_response_id: id });
    expect(second.output_text).toBe('Hello from anthropic: Another one');
    const messages = lastBody(anthropic).messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[1].content)).toContain('Hello from anthropic: Tell me a joke');
  });

  test('a conversation started on one upstream continues on another', async () => {
    const first = await client.responses.create({ model: 'm-openai-chat', input: 'Remember: blue' });
    await client.responses.create({ model: 'm-anthropic', input: 'What did I say?', previous_response_id: first.id });
    const messages = lastBody(anthropic).messages;
    expect(JSON.stringify(messages[0].content)).toContain('Remember: blue');
    expect(JSON.stringify(messages[1].content)).toContain('Hello from openai-chat: Remember: blue');
  });
});

describe('a Responses upstream that stores responses itself', () => {
  test('the id passes through with only the new input', async () => {
    const first = await client.responses.create({ model: 'm-storing-responses', input: 'Reply with pong' });
    await client.responses.create({ model: 'm-storing-responses', input: 'And again', previous_response_id: first.id });
    const body = lastBody(storing);
    expect(body.previous_response_id).toBe(first.id);
    expect(body.input).toBe('And again');
  });

  test('a conversation this upstream did not store is resent in full instead', async () => {
    const first = await client.responses.create({ model: 'm-openai-chat', input: 'Started elsewhere' });
    await client.responses.create({ model: 'm-storing-responses', input: 'Continue here', previous_response_id: first.id });
    const body = lastBody(storing);
    expect(body.previous_response_id).toBeUndefined();
    expect(JSON.stringify(body.input)).toContain('Started elsewhere');
    expect(JSON.stringify(body.input)).toContain('Hello from openai-chat: Started elsewhere');
    expect(body.input.at(-1)).toMatchObject({ role: 'user' });
  });
});

describe('a relay provider that forces store: false upstream', () => {
  test('the upstream keeps nothing, so the gateway resends the conversation', async () => {
    const first = await client.responses.create({ model: 'm-relay', input: 'Reply with pong' });
    expect(relay.requests.at(-1)!.body.store).toBe(false);
    await client.responses.create({ model: 'm-relay', input: 'Once more', previous_response_id: first.id });
    const body = lastBody(relay);
    expect(body.previous_response_id).toBeUndefined();
    const texts = JSON.stringify(body.input);
    expect(texts).toContain('Reply with pong');
    expect(texts.indexOf('Reply with pong')).toBeLessThan(texts.indexOf('Once more'));
    // The stored output (the scripted model's answer) sits between the two user turns.
    expect(body.input.some((item: { role?: string }) => item.role === 'assistant')).toBe(true);
  });
});

describe('ids that cannot be continued', () => {
  const NOT_FOUND = (id: string) => ({
    error: {
      message: `Previous response with id '${id}' not found.`,
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    },
  });

  test("an unknown id gets OpenAI's 400 body and nothing goes upstream", async () => {
    const key = (await createKey(gw)).key;
    const before = chat.requests.length;
    const res = await postRaw(
      gw,
      '/v1/responses',
      { model: 'm-openai-chat', input: 'hi', previous_response_id: 'resp_unknown' },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(400);
    expect(res.json).toEqual(NOT_FOUND('resp_unknown'));
    expect(chat.requests.length).toBe(before);
    await expect(openaiClient(gw, key).responses.create({ model: 'm-openai-chat', input: 'hi', previous_response_id: 'resp_unknown' })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  });

  test('a response created with store: false is not kept', async () => {
    const first = await client.responses.create({ model: 'm-openai-chat', input: 'ephemeral', store: false });
    await expect(client.responses.create({ model: 'm-openai-chat', input: 'next', previous_response_id: first.id })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
    });
  });

  test('another virtual key cannot continue a response', async () => {
    const first = await client.responses.create({ model: 'm-openai-chat', input: 'mine' });
    const other = openaiClient(gw, (await createKey(gw)).key);
    await expect(other.responses.create({ model: 'm-openai-chat', input: 'theirs', previous_response_id: first.id })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
    });
  });

  test('a previous_response_id that is not a string is a 400 naming the field', async () => {
    const key = (await createKey(gw)).key;
    const res = await postRaw(gw, '/v1/responses', { model: 'm-openai-chat', input: 'hi', previous_response_id: 42 }, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(400);
    expect(res.json.error.param).toBe('previous_response_id');
  });
});

describe('bounds of the store (RESPONSE_STORE_TTL_SECONDS, RESPONSE_STORE_MAX_ENTRIES)', () => {
  let small: TestGateway;
  let smallChat: MockUpstream;
  let smallClient: OpenAI;
  beforeAll(async () => {
    small = await startTestGateway({ RESPONSE_STORE_TTL_SECONDS: '1', RESPONSE_STORE_MAX_ENTRIES: '2' });
    ({ mock: smallChat } = await addUpstream(small, 'openai-chat'));
    smallClient = openaiClient(small, (await createKey(small)).key);
  });
  afterAll(async () => {
    await small?.stop();
    await smallChat?.close();
  });

  test('an expired response gets the 400', async () => {
    const first = await smallClient.responses.create({ model: 'm-openai-chat', input: 'soon gone' });
    await smallClient.responses.create({ model: 'm-openai-chat', input: 'still here', previous_response_id: first.id });
    await new Promise((r) => setTimeout(r, 1_100));
    await expect(smallClient.responses.create({ model: 'm-openai-chat', input: 'too late', previous_response_id: first.id })).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
    });
  });

  test('beyond the most entries, the least recently used response is evicted', async () => {
    const [a, b, c] = [
      await smallClient.responses.create({ model: 'm-openai-chat', input: 'a' }),
      await smallClient.responses.create({ model: 'm-openai-chat', input: 'b' }),
      await smallClient.responses.create({ model: 'm-openai-chat', input: 'c' }),
    ];
    await expect(smallClient.responses.create({ model: 'm-openai-chat', input: 'a2', previous_response_id: a.id })).rejects.toMatchObject({ status: 400 });
    const fromC = await smallClient.responses.create({ model: 'm-openai-chat', input: 'c2', previous_response_id: c.id, store: false });
    expect(fromC.output_text).toBe('Hello from openai-chat: c2');
    expect(b.id).not.toBe(c.id);
  });
});

const redisDown = await skipUnlessServices('previous_response_id on Redis', { redis: true });

(redisDown ? describe.skip : describe)('with REDIS_URL', () => {
  const prefix = uniquePrefix();
  let one: TestGateway;
  let two: TestGateway;
  let upstream: MockUpstream;
  beforeAll(async () => {
    one = await startTestGateway({ REDIS_URL, REDIS_KEY_PREFIX: prefix });
    ({ mock: upstream } = await addUpstream(one, 'openai-chat'));
    // A second instance on the same database (and so the same keys and models) and the same Redis.
    two = await startTestGateway({ REDIS_URL, REDIS_KEY_PREFIX: prefix }, one.dataDir);
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
    await upstream?.close();
    await deletePrefix(prefix);
  });

  test('a response stored by one instance is continued through another', async () => {
    const key = (await createKey(one)).key;
    await two.services.snapshot.reload();
    const first = await openaiClient(one, key).responses.create({ model: 'm-openai-chat', input: 'shared question' });
    await one.services.responseStore.settled();
    const second = await openaiClient(two, key).responses.create({ model: 'm-openai-chat', input: 'follow-up', previous_response_id: first.id });
    expect(second.output_text).toBe('Hello from openai-chat: follow-up');
    expect(upstream.requests.at(-1)!.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'shared question',
      'Hello from openai-chat: shared question',
      'follow-up',
    ]);
  });
});
