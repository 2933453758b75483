import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { GatewayError } from '../../server/core/index.js';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../server/core/index.js';
import { openAIResponsesClient, openAIResponsesUpstream } from '../../server/proxy/formats/openai-responses/index.js';
import { openAIChatClient } from '../../server/proxy/formats/openai-chat/index.js';
import { startOpenAIResponsesMock } from '../support/mock-upstreams/openai-responses.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';
import { decodeSse, rejectionOf, sseMessages } from './stream-helpers.js';

const parseSse = sseMessages;
const decodeAll = (sse: string) => decodeSse(openAIResponsesUpstream, sse);

function encodeAll(request: CanonicalRequest, events: StreamEvent[]): string {
  const encoder = openAIResponsesClient.createStreamEncoder(request);
  return events.map((e) => encoder.push(e)).join('') + encoder.end();
}

const decodeError = (body: unknown) => rejectionOf(openAIResponsesClient, body);

const base = { model: 'gpt-4.1', input: 'hi' };
const sampleStream: StreamEvent[] = [
  { type: 'start', id: 'resp_1', model: 'gpt-4.1', created: 1700000000 },
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
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 } },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 } },
];

describe('responses decodeRequest', () => {
  it('maps input items, instructions and settings', () => {
    const req = openAIResponsesClient.decodeRequest({
      model: 'gpt-4.1',
      instructions: 'Be terse.',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: 'https://x/y.png', detail: 'high' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plan' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'checking' }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
        { role: 'developer', content: 'later rule' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.5,
      metadata: { k: 'v' },
      store: false,
      stream: true,
      parallel_tool_calls: false,
    });
    expect(req.instructions).toBe('Be terse.');
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'developer']);
    expect(req.messages[0].content).toEqual([{ type: 'text', text: 'Be terse.' }]);
    expect(req.messages[2].content).toEqual([
      { type: 'reasoning', text: 'plan' },
      { type: 'text', text: 'checking' },
      { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' },
    ]);
    expect(req.messages[3].content[0]).toEqual({ type: 'tool_result', toolCallId: 'call_1', toolName: 'f', content: [{ type: 'text', text: 'ok' }] });
    expect(req).toMatchObject({
      maxTokens: 300,
      temperature: 0.2,
      topP: 0.5,
      store: false,
      stream: true,
      parallelToolCalls: false,
      reasoning: { effort: 'high', summary: 'auto' },
      toolChoice: { type: 'tool', name: 'f' },
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      tools: [{ name: 'f', parameters: { type: 'object' }, strict: false }],
    });
  });

  it.each([
    [{ ...base, previous_response_id: 'resp_old' }, 'previous_response_id'],
    [{ ...base, tools: [{ type: 'function' }] }, 'tools[0].name'],
    [{ ...base, tools: [{ name: 'no_type' }] }, 'tools[0].type'],
    [{ ...base, tools: [{ type: 'namespace', name: 'ns' }] }, 'tools[0].tools'],
    [{ ...base, tools: [{ type: 'custom' }] }, 'tools[0].name'],
    [{ ...base, input: [{ type: 'custom_tool_call', call_id: 'c', name: 'n' }] }, 'input[0].input'],
    [{ ...base, input: [{ type: 7 }] }, 'input[0].type'],
    [{ ...base, reasoning: { effort: 7 } }, 'reasoning.effort'],
    [{ model: 'm' }, 'input'],
    [{ ...base, model: 1 }, 'model'],
    [{ ...base, input: [{ role: 'user', content: 7 }] }, 'input[0].content'],
    [{ ...base, input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
    [{ ...base, text: { format: { type: 'yaml' } } }, 'text.format.type'],
    [{ ...base, max_output_tokens: 1.5 }, 'max_output_tokens'],
  ])('rejects %j naming %s', (body, param) => {
    const error = decodeError(body);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('refuses a previous_response_id the response store did not resolve', () => {
    expect(decodeError({ ...base, previous_response_id: 'resp_1' }).message).toMatch(/not supported/);
  });
});

describe('responses upstream encodeRequest / decodeResponse', () => {
  it('turns leading system messages into instructions and tool turns into items', () => {
    const chat = openAIChatClient.decodeRequest({
      model: 'x',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: 'let me see', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        { role: 'system', content: 'late' },
      ],
      tools: [{ type: 'function', function: { name: 'w', parameters: { type: 'object' } } }],
      max_tokens: 64,
      stop: ['x'],
    });
    expect(openAIResponsesUpstream.encodeRequest(chat, { upstreamModel: 'gpt-5' })).toEqual({
      model: 'gpt-5',
      instructions: 'sys',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'weather?' }] },
        { type: 'message', role: 'assistant', content: 'let me see' },
        { type: 'function_call', call_id: 'c1', name: 'w', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'late' }] },
      ],
      tools: [{ type: 'function', name: 'w', parameters: { type: 'object' }, strict: false }],
      max_output_tokens: 64,
    });
  });

  it('decodes a response object and encodes it back', () => {
    const body = {
      id: 'resp_9',
      object: 'response',
      created_at: 1700000000,
      model: 'gpt-5',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        {
          id: 'rs_1',
          type: 'reasoning',
          summary: [
            { type: 'summary_text', text: 'a' },
            { type: 'summary_text', text: 'b' },
          ],
        },
        { id: 'msg_1', type: 'message', role: 'assistant', status: 'incomplete', content: [{ type: 'output_text', text: 'part', annotations: [] }] },
      ],
      usage: {
        input_tokens: 9,
        input_tokens_details: { cached_tokens: 2 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 1 },
        total_tokens: 13,
      },
    };
    const canonical = openAIResponsesUpstream.decodeResponse(body);
    expect(canonical).toMatchObject({
      id: 'resp_9',
      finishReason: 'length',
      usage: { inputTokens: 9, outputTokens: 4, cachedInputTokens: 2, reasoningTokens: 1 },
    });
    expect(canonical.content).toEqual([
      { type: 'reasoning', text: 'a\n\nb' },
      { type: 'text', text: 'part' },
    ]);
    const request = openAIResponsesClient.decodeRequest({ ...base, instructions: 'Echo me' });
    const out = openAIResponsesClient.encodeResponse(canonical, request) as any;
    expect(out).toMatchObject({
      id: 'resp_9',
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      instructions: 'Echo me',
      model: 'gpt-5',
    });
    expect(out.output.map((i: any) => i.type)).toEqual(['reasoning', 'message']);
    expect(out.usage).toEqual(body.usage);
  });

  it('encodes tool calls as function_call items with call_id', () => {
    const response: CanonicalResponse = {
      id: 'chatcmpl-1',
      model: 'm',
      created: 1,
      content: [
        { type: 'text', text: 'calling' },
        { type: 'tool_call', id: 'call_z', name: 'f', arguments: '{"q":1}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 1, outputTokens: 2 },
    };
    const out = openAIResponsesClient.encodeResponse(response, openAIResponsesClient.decodeRequest(base)) as any;
    expect(out.id).toBe('resp_1');
    expect(out.status).toBe('completed');
    expect(out.output[1]).toMatchObject({ type: 'function_call', call_id: 'call_z', name: 'f', arguments: '{"q":1}', status: 'completed' });
  });
});

describe('responses streams', () => {
  const request = (): CanonicalRequest => openAIResponsesClient.decodeRequest({ ...base, stream: true });

  it('emits the typed event sequence with increasing sequence numbers', () => {
    const messages = parseSse(encodeAll(request(), sampleStream));
    const data = messages.map((m) => JSON.parse(m.data));
    expect(messages.every((m, i) => m.event === data[i].type)).toBe(true);
    expect(data.map((d) => d.sequence_number)).toEqual(data.map((_, i) => i));
    expect(data.map((d) => d.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const completed = data.at(-1).response;
    expect(completed.output.map((i: any) => i.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(completed.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 15,
    });
  });

  it('round-trips through the stream decoder with the same tool call ids', () => {
    const decoded = decodeAll(encodeAll(request(), sampleStream));
    expect(decoded).toEqual(sampleStream);
  });

  it('ends with response.incomplete for length and response.failed on error', () => {
    const start = sampleStream[0];
    const incomplete = parseSse(encodeAll(request(), [start, { type: 'finish', finishReason: 'length', usage: { inputTokens: 1, outputTokens: 1 } }]));
    expect(JSON.parse(incomplete.at(-1)!.data)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    const failed = parseSse(encodeAll(request(), [start, { type: 'error', error: { status: 502, kind: 'upstream', message: 'boom' } }]));
    expect(JSON.parse(failed.at(-1)!.data)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error', message: 'boom' } },
    });
    const standalone = parseSse(openAIResponsesClient.encodeStreamError({ status: 429, kind: 'rate_limit', message: 'slow down' }));
    expect(standalone[0].event).toBe('response.failed');
    expect(JSON.parse(standalone[0].data).response.error).toEqual({ code: 'rate_limit_exceeded', message: 'slow down' });
    expect(decodeAll(failed.map((m) => `event: ${m.event}\ndata: ${m.data}\n\n`).join('')).at(-1)).toMatchObject({ type: 'error', error: { message: 'boom' } });
  });

  it('reports a cut-off upstream stream as an error', () => {
    const sse = encodeAll(request(), sampleStream.slice(0, 6));
    expect(decodeAll(sse).at(-1)).toMatchObject({ type: 'error', error: { status: 502 } });
  });
});

describe('OpenAI SDK against the responses mock', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  beforeAll(async () => {
    mock = await startOpenAIResponsesMock();
    client = new OpenAI({ apiKey: DEFAULT_API_KEY, baseURL: mock.url, maxRetries: 0 });
  });
  afterAll(() => mock.close());

  it('answers by the default rules, streamed and not', async () => {
    const res = await client.responses.create({ model: 'gpt-4.1', input: 'ping' });
    expect(res.output_text).toBe('Hello from openai-responses: ping');
    const final = await client.responses.stream({ model: 'gpt-4.1', input: 'pong' }).finalResponse();
    expect(final.output_text).toBe('Hello from openai-responses: pong');
    expect(final.usage).toMatchObject({ input_tokens: 12, output_tokens: 8 });
  });

  it('streams reasoning and tool calls the SDK helper accepts; sequence numbers increase', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'hmm', text: 'done' });
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'x' });
    const seqs: number[] = [];
    stream.on('event', (e) => seqs.push(e.sequence_number));
    const final = await stream.finalResponse();
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(final.output.map((i) => i.type)).toEqual(['reasoning', 'message']);
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }];
    const call = await client.responses.stream({ model: 'gpt-4.1', input: 'weather in Paris', tools }).finalResponse();
    const fc = call.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(JSON.parse(fc.arguments)).toEqual({ city: 'Paris' });
    const next = await client.responses.create({
      model: 'gpt-4.1',
      tools,
      input: [
        { role: 'user', content: 'weather in Paris' },
        { type: 'function_call', call_id: fc.call_id, name: fc.name, arguments: fc.arguments },
        { type: 'function_call_output', call_id: fc.call_id, output: 'rain' },
      ],
    });
    expect(next.output_text).toBe('Tool said: rain');
  });

  it('rejects like OpenAI', async () => {
    await expect(new OpenAI({ apiKey: 'bad', baseURL: mock.url, maxRetries: 0 }).responses.create({ model: 'm', input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await expect(client.responses.create({ model: 'm', input: 'x', previous_response_id: 'resp_x' })).rejects.toMatchObject({
      status: 400,
      param: 'previous_response_id',
    });
    await expect(client.responses.create({ model: 'm', input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] })).rejects.toMatchObject({
      status: 400,
    });
    await expect(client.responses.create({ model: 'm', input: 'x', max_output_tokens: 5 })).rejects.toMatchObject({ status: 400, param: 'max_output_tokens' });
  });

  it('is decoded by the upstream stream decoder, and accepts what the upstream encoder sends', async () => {
    const canonical = openAIChatClient.decodeRequest({
      model: 'public',
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'hey' },
      ],
      stream: true,
    });
    const body = openAIResponsesUpstream.encodeRequest(canonical, { upstreamModel: 'gpt-4.1' });
    const sse = await fetch(`${mock.url}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.text());
    const events = decodeAll(sse);
    const text = events.map((e) => (e.type === 'text-delta' ? e.text : '')).join('');
    expect(text).toBe('Hello from openai-responses: hey');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 8 } });
    expect(mock.requests.at(-1)?.body.instructions).toBe('s');
  });

  it('counts aborts and drops', async () => {
    mock.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const pending = client.responses.create({ model: 'm', input: 'x' }, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => mock.aborted).toBe(1);
    mock.enqueue({ type: 'drop_mid_stream', text: 'partial answer text' });
    await expect(client.responses.stream({ model: 'm', input: 'x' }).finalResponse()).rejects.toThrow();
  });
});

describe('OpenAI SDK against the responses stream encoder', () => {
  let server: CustomUpstream;
  let baseURL = '';
  let events: StreamEvent[] = sampleStream;
  beforeAll(async () => {
    server = await startCustomUpstream((_req, body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(encodeAll(openAIResponsesClient.decodeRequest(body), events));
    }, '/v1');
    baseURL = server.url;
  });
  afterAll(() => server.close());

  it('finalResponse() assembles reasoning, text and the function call', async () => {
    events = sampleStream;
    const client = new OpenAI({ apiKey: 'k', baseURL, maxRetries: 0 });
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'x', instructions: 'inst' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.snapshot));
    const final = await stream.finalResponse();
    expect(deltas).toEqual(['Hello ', 'Hello world']);
    expect(final.output_text).toBe('Hello world');
    expect(final.instructions).toBe('inst');
    expect(final.output[2]).toMatchObject({ type: 'function_call', call_id: 'call_a', arguments: '{"city":"Paris"}' });
    expect((final.output[0] as OpenAI.Responses.ResponseReasoningItem).summary[0].text).toBe('thinking');
  });

  it('resolves with status failed when the stream fails', async () => {
    events = [sampleStream[0], sampleStream[4], sampleStream[5], { type: 'error', error: { status: 502, kind: 'upstream', message: 'broke' } }];
    const client = new OpenAI({ apiKey: 'k', baseURL, maxRetries: 0 });
    const final = await client.responses.stream({ model: 'gpt-4.1', input: 'x' }).finalResponse();
    expect(final.status).toBe('failed');
    expect(final.error?.message).toBe('broke');
  });
});
