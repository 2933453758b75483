import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { AzureOpenAI } from 'openai';
import { GatewayError } from '../../server/core/index.js';
import type { CanonicalRequest, StreamEvent } from '../../server/core/index.js';
import { openAIChatClient, openAIChatUpstream } from '../../server/proxy/formats/openai-chat/index.js';
import { startAzureMock, startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';
import { decodeSse, rejectionOf, sseMessages } from './stream-helpers.js';

const parseSse = sseMessages;
const decodeAll = (sse: string) => decodeSse(openAIChatUpstream, sse);

const decodeError = (body: unknown) => rejectionOf(openAIChatClient, body);

const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
const sampleStream: StreamEvent[] = [
  { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1700000000 },
  { type: 'reasoning-start', block: 0 },
  { type: 'reasoning-delta', block: 0, text: 'thinking' },
  { type: 'reasoning-end', block: 0 },
  { type: 'text-start', block: 1 },
  { type: 'text-delta', block: 1, text: 'Hello ' },
  { type: 'text-delta', block: 1, text: 'world' },
  { type: 'text-end', block: 1 },
  { type: 'tool-call-start', block: 2, id: 'call_a', name: 'get_weather' },
  { type: 'tool-call-delta', block: 2, argumentsDelta: '{"city":' },
  { type: 'tool-call-delta', block: 2, argumentsDelta: '"Paris"}' },
  { type: 'tool-call-end', block: 2 },
  { type: 'tool-call-start', block: 3, id: 'call_b', name: 'get_time' },
  { type: 'tool-call-delta', block: 3, argumentsDelta: '{}' },
  { type: 'tool-call-end', block: 3 },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 } },
];

describe('chat completions decodeRequest', () => {
  it('maps every supported field', () => {
    const req = openAIChatClient.decodeRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true } },
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      reasoning_effort: 'low',
      presence_penalty: 0.1,
      frequency_penalty: -0.1,
      user: 'u1',
      metadata: { a: 'b' },
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(req.maxTokens).toBe(100);
    expect(req.stop).toEqual(['END']);
    expect(req.reasoning).toEqual({ effort: 'low' });
    expect(req.includeUsage).toBe(true);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(req.responseFormat).toEqual({ type: 'json_schema', name: 's', schema: { type: 'object' }, strict: true });
    expect(req.messages[2].content[1]).toEqual({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'low' });
    expect(req.messages[4].content[0]).toEqual({ type: 'tool_result', toolCallId: 'call_1', toolName: 'f', content: [{ type: 'text', text: 'done' }] });
    expect(req).toMatchObject({
      temperature: 0.5,
      topP: 0.9,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: -0.1,
      user: 'u1',
      parallelToolCalls: false,
      stream: true,
    });
  });

  it('sets no field the client did not send', () => {
    expect(openAIChatClient.decodeRequest(base)).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
    });
  });

  it.each([
    [{ ...base, model: 3 }, 'model'],
    [{ messages: base.messages }, 'model'],
    [{ ...base, messages: [] }, 'messages'],
    [{ ...base, messages: [...base.messages, base.messages[0], { role: 'user', content: 5 }] }, 'messages[2].content'],
    [{ ...base, messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 1 } }] }] }, 'messages[0].content[0].image_url.url'],
    [{ ...base, tools: [{ type: 'function', function: {} }] }, 'tools[0].function.name'],
    [{ ...base, max_tokens: 0 }, 'max_tokens'],
    [{ ...base, temperature: 3 }, 'temperature'],
    [{ ...base, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ ...base, stream_options: { include_usage: true } }, 'stream_options'],
    [{ ...base, reasoning_effort: 'huge' }, 'reasoning_effort'],
    [{ ...base, response_format: { type: 'xml' } }, 'response_format.type'],
    [{ ...base, n: 2 }, 'n'],
  ])('rejects %j naming %s', (body, param) => {
    const error = decodeError(body);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('chat completions upstream encodeRequest', () => {
  it('uses the upstream model and adds no defaults', () => {
    const req = openAIChatClient.decodeRequest(base);
    expect(openAIChatUpstream.encodeRequest(req, { upstreamModel: 'gpt-4o-2024-08-06' })).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('asks for usage on streams and honours the max-tokens field quirk', () => {
    const req: CanonicalRequest = { ...openAIChatClient.decodeRequest(base), stream: true, maxTokens: 9 };
    expect(openAIChatUpstream.encodeRequest(req, { upstreamModel: 'm' })).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 9,
    });
    expect(openAIChatUpstream.encodeRequest(req, { upstreamModel: 'm', maxTokensField: 'max_completion_tokens' })).toMatchObject({ max_completion_tokens: 9 });
  });

  it('splits tool results into tool messages and images into image_url parts', () => {
    const req: CanonicalRequest = {
      model: 'x',
      stream: false,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'QQ==' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'r' },
            { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' },
            { type: 'tool_call', id: 'c2', name: 'g', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'one' }] },
            { type: 'tool_result', toolCallId: 'c2', content: [{ type: 'text', text: 'two' }] },
          ],
        },
      ],
    };
    const body = openAIChatUpstream.encodeRequest(req, { upstreamModel: 'x' });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'see' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,QQ==' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'one' },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
    ]);
  });
});

describe('chat completions responses', () => {
  const upstreamBody = {
    id: 'chatcmpl-9',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: 'ok',
          reasoning_content: 'hmm',
          tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
      },
    ],
    usage: {
      prompt_tokens: 20,
      completion_tokens: 7,
      total_tokens: 27,
      prompt_tokens_details: { cached_tokens: 5 },
      completion_tokens_details: { reasoning_tokens: 3 },
    },
  };

  it('decodes and re-encodes a completion without loss', () => {
    const canonical = openAIChatUpstream.decodeResponse(upstreamBody);
    expect(canonical.content).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'text', text: 'ok' },
      { type: 'tool_call', id: 'call_x', name: 'f', arguments: '{"a":1}' },
    ]);
    expect(canonical.usage).toEqual({ inputTokens: 20, outputTokens: 7, cachedInputTokens: 5, reasoningTokens: 3 });
    const out = openAIChatClient.encodeResponse(canonical, openAIChatClient.decodeRequest(base)) as any;
    expect(out).toMatchObject({ id: 'chatcmpl-9', object: 'chat.completion', created: 1700000000, model: 'gpt-4o' });
    expect(out.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'tool_calls',
      logprobs: null,
      message: { role: 'assistant', content: 'ok', reasoning_content: 'hmm', tool_calls: upstreamBody.choices[0].message.tool_calls },
    });
    expect(out.usage).toMatchObject({
      prompt_tokens: 20,
      completion_tokens: 7,
      total_tokens: 27,
      prompt_tokens_details: { cached_tokens: 5 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    ['content_filter', 'content_filter'],
  ])('maps finish_reason %s → %s', (wire, canonical) => {
    const body = { ...upstreamBody, choices: [{ index: 0, finish_reason: wire, message: { role: 'assistant', content: 'x' } }] };
    expect(openAIChatUpstream.decodeResponse(body).finishReason).toBe(canonical);
  });

  it('maps canonical finish reasons without a Chat word to stop', () => {
    const canonical = { ...openAIChatUpstream.decodeResponse(upstreamBody), finishReason: 'stop_sequence' as const, content: [] };
    expect((openAIChatClient.encodeResponse(canonical, openAIChatClient.decodeRequest(base)) as any).choices[0].finish_reason).toBe('stop');
  });
});

describe('chat completions streams', () => {
  const streamReq = (includeUsage: boolean): CanonicalRequest => ({
    ...openAIChatClient.decodeRequest(base),
    stream: true,
    ...(includeUsage && { includeUsage }),
  });

  it('encodes chunks in OpenAI order and decodes them back to the same events', () => {
    const encoder = openAIChatClient.createStreamEncoder(streamReq(true));
    const sse = sampleStream.map((e) => encoder.push(e)).join('') + encoder.end();
    const chunks = parseSse(sse);
    expect(chunks.at(-1)?.data).toBe('[DONE]');
    const json = chunks.slice(0, -1).map((c) => JSON.parse(c.data));
    expect(json[0].choices[0].delta).toMatchObject({ role: 'assistant', content: '' });
    expect(json.every((c) => c.object === 'chat.completion.chunk' && c.id === 'chatcmpl-1')).toBe(true);
    const toolStart = json.find((c) => c.choices[0]?.delta.tool_calls)?.choices[0].delta.tool_calls[0];
    expect(toolStart).toEqual({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } });
    const finish = json.at(-2);
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
    expect(json.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
    });

    const decoded = decodeAll(sse).filter((e) => e.type !== 'usage');
    expect(decoded).toEqual(sampleStream);
  });

  it('sends the usage chunk only when include_usage was asked', () => {
    const encoder = openAIChatClient.createStreamEncoder(streamReq(false));
    const sse = sampleStream.map((e) => encoder.push(e)).join('') + encoder.end();
    const json = parseSse(sse)
      .slice(0, -1)
      .map((c) => JSON.parse(c.data));
    expect(json.some((c) => c.choices.length === 0 || 'usage' in c)).toBe(false);
  });

  it('finishes a stream without usage and brackets blocks', () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', model: 'm', created: 1, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const events = decodeAll(chunk({ role: 'assistant', content: 'Hi' }) + chunk({}, 'length') + 'data: [DONE]\n\n');
    expect(events).toEqual([
      { type: 'start', id: 'c', model: 'm', created: 1 },
      { type: 'text-start', block: 0 },
      { type: 'text-delta', block: 0, text: 'Hi' },
      { type: 'text-end', block: 0 },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
    // No [DONE] but a finish_reason: still a complete answer.
    expect(decodeAll(chunk({ content: 'x' }) + chunk({}, 'stop')).at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    // Cut off before any finish_reason: an upstream error.
    expect(decodeAll(chunk({ content: 'x' })).at(-1)).toMatchObject({ type: 'error', error: { status: 502 } });
  });

  it('reads reasoning, tool calls without ids, and in-stream errors', () => {
    const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta }] })}\n\n`;
    const events = decodeAll(
      chunk({ reasoning: 'r' }) + chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] }) + `data: {"error":{"message":"boom"}}\n\n`,
    );
    expect(events.map((e) => e.type)).toEqual([
      'start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'error',
    ]);
    expect((events[4] as any).id).toMatch(/^call_/);
  });

  it('writes errors as OpenAI error bodies and data lines', () => {
    expect(openAIChatClient.encodeError({ status: 429, kind: 'budget_exceeded', message: 'Budget exceeded' })).toEqual({
      error: { message: 'Budget exceeded', type: 'insufficient_quota', param: null, code: 'insufficient_quota' },
    });
    expect(openAIChatClient.encodeError({ status: 400, kind: 'invalid_request', message: 'bad', param: 'messages[0]' })).toEqual({
      error: { message: 'bad', type: 'invalid_request_error', param: 'messages[0]', code: null },
    });
    const line = openAIChatClient.encodeStreamError({ status: 502, kind: 'upstream', message: 'gone' });
    expect(line).toBe('data: {"error":{"message":"gone","type":"server_error","param":null,"code":null}}\n\n');
    expect(openAIChatUpstream.decodeErrorMessage(401, { error: { message: 'Incorrect API key provided: sk-abcdef123456' } })).toBe(
      'Incorrect API key provided: [redacted]',
    );
  });
});

describe('OpenAI SDK against the chat mock', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    mock = await startOpenAIChatMock();
    client = new OpenAI({ apiKey: DEFAULT_API_KEY, baseURL: mock.url, maxRetries: 0 });
  });
  afterAll(() => mock.close());

  it('answers by the default rules', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }] });
    expect(res.choices[0].message.content).toBe('Hello from openai-chat: ping');
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 8 });
    const img = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }],
    });
    expect(img.choices[0].message.content).toBe('I see an image (image/png)');
  });

  it('streams a tool call that the SDK helper assembles, then answers the tool result', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0].message.tool_calls![0] as any;
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    expect(final.usage?.total_tokens).toBe(20);
    const next = await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [{ role: 'user', content: 'weather?' }, final.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    expect(next.choices[0].message.content).toBe('Tool said: sunny');
  });

  it('honours include_usage exactly and replays queued scenarios', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'let me think', text: 'Answer' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.map((c) => (c.choices[0]?.delta as any)?.reasoning_content ?? '').join('')).toBe('let me think');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('Answer');
  });

  it('rejects like OpenAI: bad key, bad messages, error scenarios', async () => {
    const bad = new OpenAI({ apiKey: 'nope', baseURL: mock.url, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    const orphan = client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] });
    await expect(orphan).rejects.toMatchObject({ status: 400, param: 'messages.[0].role' });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
    mock.enqueue({ type: 'error', status: 429, headers: { 'retry-after': '1' } });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('serves models and deterministic embeddings (base64 by default in the SDK)', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
    const a = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['same', 'other'], dimensions: 8 });
    const b = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'same', dimensions: 8 });
    expect(a.data[0].embedding).toHaveLength(8);
    expect(a.data[0].embedding).toEqual(b.data[0].embedding);
    expect(a.data[1].embedding).not.toEqual(a.data[0].embedding);
  });

  it('counts client aborts and drops mid-stream', async () => {
    mock.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => mock.aborted).toBe(1);
    mock.enqueue({ type: 'drop_mid_stream', text: 'partial answer text here' });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalChatCompletion()).rejects.toThrow();
    expect(mock.aborted).toBe(1);
    expect(mock.requests.at(-1)?.body.model).toBe('gpt-4o');
  });
});

describe('Azure OpenAI mock', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startAzureMock();
  });
  afterAll(() => mock.close());

  it('serves the AzureOpenAI client with api-key auth, and streams through the content-filter chunk', async () => {
    const client = new AzureOpenAI({ apiKey: DEFAULT_API_KEY, endpoint: mock.url, apiVersion: '2024-10-21', deployment: 'my-gpt', maxRetries: 0 });
    const res = await client.chat.completions.create({ model: '', messages: [{ role: 'user', content: 'hey' }] });
    expect(res.choices[0].message.content).toBe('Hello from azure-openai: hey');
    expect(mock.requests[0].headers['api-key']).toBe(DEFAULT_API_KEY);
    const sse = await fetch(`${mock.url}/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': DEFAULT_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(openAIChatUpstream.encodeRequest({ ...openAIChatClient.decodeRequest(base), stream: true }, { upstreamModel: 'gpt-4o' })),
    }).then((r) => r.text());
    const events = decodeAll(sse);
    expect(events[0]).toMatchObject({ type: 'start', model: 'my-gpt' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 8 } });
  });

  it('answers 404 without api-version and 401 with a wrong key', async () => {
    const url = `${mock.url}/openai/deployments/d/chat/completions`;
    const init = (key: string) => ({ method: 'POST', headers: { 'api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(base) });
    expect((await fetch(url, init(DEFAULT_API_KEY))).status).toBe(404);
    expect((await fetch(`${url}?api-version=2024-10-21`, init('wrong'))).status).toBe(401);
  });
});

describe('OpenAI SDK against the chat stream encoder', () => {
  let server: CustomUpstream;
  let baseURL = '';
  let events: StreamEvent[] = sampleStream;
  beforeAll(async () => {
    server = await startCustomUpstream((_req, body, res) => {
      const request = openAIChatClient.decodeRequest(body);
      const encoder = openAIChatClient.createStreamEncoder(request);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(events.map((e) => encoder.push(e)).join('') + encoder.end());
    }, '/v1');
    baseURL = server.url;
  });
  afterAll(() => server.close());

  it('finalChatCompletion assembles text, tool calls and usage', async () => {
    events = sampleStream;
    const client = new OpenAI({ apiKey: 'k', baseURL, maxRetries: 0 });
    const final = await client.chat.completions
      .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Hello world');
    expect(final.choices[0].message.tool_calls?.map((c: any) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['call_a', 'get_weather', '{"city":"Paris"}'],
      ['call_b', 'get_time', '{}'],
    ]);
    expect(final.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });

  it('raises a mid-stream error as an APIError', async () => {
    events = [sampleStream[0], sampleStream[4], sampleStream[5], { type: 'error', error: { status: 502, kind: 'upstream', message: 'upstream broke' } }];
    const client = new OpenAI({ apiKey: 'k', baseURL, maxRetries: 0 });
    await expect(client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion()).rejects.toThrow(
      /upstream broke/,
    );
  });
});
