import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../server/core/index.js';
import { GatewayError } from '../../server/core/index.js';
import {
  DEFAULT_MAX_TOKENS,
  JSON_RESPONSE_TOOL,
  anthropicClient,
  anthropicUpstream,
  estimateInputTokens,
} from '../../server/proxy/formats/anthropic-messages/index.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';
import { decodeSse, sseMessages } from './stream-helpers.js';

const parseSse = sseMessages;
const decodeStream = (text: string) => decodeSse(anthropicUpstream, text);

function expectInvalid(body: unknown, param: string): void {
  try {
    anthropicClient.decodeRequest(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    expect((err as GatewayError).param).toBe(param);
    expect((err as GatewayError).message).toContain(param);
    return;
  }
  throw new Error(`expected a 400 naming ${param}`);
}

const base = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

describe('anthropic client: decodeRequest validation', () => {
  it('names the offending field', () => {
    expectInvalid({ ...base, model: undefined }, 'model');
    expectInvalid({ ...base, max_tokens: undefined }, 'max_tokens');
    expectInvalid({ ...base, max_tokens: 0 }, 'max_tokens');
    expectInvalid({ ...base, max_tokens: 1.5 }, 'max_tokens');
    expectInvalid({ ...base, messages: 'hi' }, 'messages');
    expectInvalid({ ...base, messages: [] }, 'messages');
    expectInvalid({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] }, 'messages.0.content.0');
    expectInvalid({ ...base, tools: [{ name: 'x' }] }, 'tools.0.input_schema');
    expectInvalid({ ...base, tool_choice: { type: 'sometimes' } }, 'tool_choice.type');
    expectInvalid({ ...base, tool_choice: { type: 'tool' } }, 'tool_choice.name');
    expectInvalid({ ...base, thinking: { type: 'enabled' } }, 'thinking.budget_tokens');
    expectInvalid({ ...base, temperature: 3 }, 'temperature');
    expectInvalid({ ...base, stop_sequences: [1] }, 'stop_sequences.0');
    expectInvalid({ ...base, system: [{ type: 'image' }] }, 'system.0.type');
    expectInvalid({ ...base, stream: 'yes' }, 'stream');
    expectInvalid({ ...base, messages: [{ role: 'critic', content: 'x' }] }, 'messages.0.role');
    expectInvalid({ ...base, messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, 'messages.0.content.0.type');
    expectInvalid({ ...base, tools: [{ type: 7, name: 'x' }] }, 'tools.0.type');
    expectInvalid({ ...base, output_config: { format: { type: 'json_schema' } } }, 'output_config.format.schema');
  });
});

describe('anthropic client: decodeRequest mapping', () => {
  const request = anthropicClient.decodeRequest({
    model: 'claude-x',
    max_tokens: 2048,
    system: [
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Be kind.' },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather?' },
          { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig1' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'before' },
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'sunny' }], is_error: true },
          { type: 'text', text: 'after' },
        ],
      },
    ],
    tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} } }],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    stop_sequences: ['END'],
    temperature: 0.5,
    top_p: 0.9,
    top_k: 40,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    metadata: { user_id: 'u-1' },
    stream: true,
  });

  it('puts system text first, keeping cache_control', () => {
    expect(request.messages[0]).toEqual({
      role: 'system',
      content: [
        { type: 'text', text: 'Be brief.', cacheControl: { type: 'ephemeral' } },
        { type: 'text', text: 'Be kind.' },
      ],
    });
  });

  it('keeps tool results where they stood, with the tool name', () => {
    expect(request.messages.slice(3).map((m) => m.role)).toEqual(['user', 'tool', 'user']);
    expect(request.messages[4].content[0]).toEqual({
      type: 'tool_result',
      toolCallId: 'toolu_1',
      toolName: 'get_weather',
      content: [{ type: 'text', text: 'sunny' }],
      isError: true,
    });
  });

  it('keeps thinking signatures and redacted data, and tool_use input as JSON text', () => {
    expect(request.messages[2].content).toEqual([
      { type: 'reasoning', text: 'hmm', signature: 'sig1' },
      { type: 'reasoning', text: '', redactedData: 'opaque' },
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect(request.messages[1].content[1]).toEqual({ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } });
  });

  it('maps the sampling, tool and thinking options', () => {
    expect(request).toMatchObject({
      maxTokens: 2048,
      stop: ['END'],
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stream: true,
      user: 'u-1',
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
      reasoning: { budgetTokens: 1024 },
    });
    expect(request.tools).toEqual([{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } }]);
    expect(anthropicClient.decodeRequest({ ...base, thinking: { type: 'disabled' } }).reasoning).toEqual({ disabled: true });
  });
});

const canonicalResponse: CanonicalResponse = {
  id: 'chatcmpl-1',
  model: 'claude-x',
  created: 1,
  content: [
    { type: 'reasoning', text: 'think', signature: 'sig' },
    { type: 'text', text: 'Hello' },
    { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
  ],
  finishReason: 'tool_calls',
  usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 30, cacheWriteTokens: 10 },
};

describe('anthropic client: encodeResponse and errors', () => {
  it('produces a message object per spec', () => {
    const body = anthropicClient.encodeResponse(canonicalResponse, anthropicClient.decodeRequest(base));
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'think', signature: 'sig' },
        { type: 'text', text: 'Hello' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 60, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 10 },
    });
    expect((body as { id: string }).id).toMatch(/^msg_/);
  });

  it.each([
    ['length', 'max_tokens'],
    ['stop', 'end_turn'],
    ['stop_sequence', 'stop_sequence'],
    ['pause', 'pause_turn'],
    ['content_filter', 'refusal'],
  ] as const)('maps finish %s to %s', (finishReason, stop) => {
    const body = anthropicClient.encodeResponse({ ...canonicalResponse, finishReason, stopSequence: 'X' }, anthropicClient.decodeRequest(base)) as {
      stop_reason: string;
      stop_sequence: string | null;
    };
    expect(body.stop_reason).toBe(stop);
    expect(body.stop_sequence).toBe(stop === 'stop_sequence' ? 'X' : null);
  });

  it('encodes errors with Anthropic types', () => {
    expect(anthropicClient.encodeError({ status: 429, kind: 'rate_limit', message: 'slow' })).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow' },
    });
    expect(anthropicClient.encodeError({ status: 402, kind: 'budget_exceeded', message: 'b' })).toMatchObject({ error: { type: 'billing_error' } });
    expect(anthropicClient.encodeError({ status: 502, kind: 'upstream_auth', message: 'u' })).toMatchObject({ error: { type: 'api_error' } });
    expect(anthropicClient.encodeStreamError({ status: 529, kind: 'overloaded', message: 'busy' })).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n',
    );
  });
});

const streamEvents: StreamEvent[] = [
  { type: 'start', id: 'x', model: 'claude-x', created: 1, usage: { inputTokens: 50, cachedInputTokens: 20 } },
  { type: 'reasoning-start', block: 0 },
  { type: 'reasoning-delta', block: 0, text: 'Let me ' },
  { type: 'reasoning-delta', block: 0, text: 'think.' },
  { type: 'reasoning-signature', block: 0, signature: 'sig-abc' },
  { type: 'reasoning-end', block: 0 },
  { type: 'text-start', block: 1 },
  { type: 'text-delta', block: 1, text: 'Hel' },
  { type: 'text-delta', block: 1, text: 'lo' },
  { type: 'text-end', block: 1 },
  // Two overlapping tool calls, as an OpenAI upstream may stream them.
  { type: 'tool-call-start', block: 2, id: 'call_a', name: 'f' },
  { type: 'tool-call-start', block: 3, id: 'call_b', name: 'g' },
  { type: 'tool-call-delta', block: 2, argumentsDelta: '{"a":' },
  { type: 'tool-call-delta', block: 3, argumentsDelta: '{"b":2}' },
  { type: 'tool-call-delta', block: 2, argumentsDelta: '1}' },
  { type: 'tool-call-end', block: 3 },
  { type: 'tool-call-end', block: 2 },
  { type: 'usage', usage: { outputTokens: 30 } },
  { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 50, outputTokens: 31, cachedInputTokens: 20 } },
];

function encodeAll(events: StreamEvent[]): string {
  const encoder = anthropicClient.createStreamEncoder(anthropicClient.decodeRequest(base));
  return events.map((e) => encoder.push(e)).join('') + encoder.end();
}

describe('anthropic stream encoder', () => {
  const text = encodeAll(streamEvents);
  const messages = parseSse(text);

  it('writes the exact event sequence with ping after message_start and dense, non-overlapping blocks', () => {
    expect(messages.map((m) => m.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const indices = messages.filter((m) => m.event!.startsWith('content_block')).map((m) => JSON.parse(m.data).index);
    expect(indices).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
    for (const m of messages) expect(JSON.parse(m.data).type).toBe(m.event);
    expect(text.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(JSON.parse(messages[0].data).message.usage).toMatchObject({ input_tokens: 30, cache_read_input_tokens: 20 });
    expect(JSON.parse(messages.at(-2)!.data)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 31, cache_read_input_tokens: 20, cache_creation_input_tokens: 0 },
    });
  });

  it('is read back by the stream decoder into the same content', () => {
    const decoded = decodeStream(text);
    const finish = decoded.at(-1);
    expect(finish).toEqual({
      type: 'finish',
      finishReason: 'tool_calls',
      usage: { inputTokens: 50, outputTokens: 31, cachedInputTokens: 20, cacheWriteTokens: 0 },
    });
    const texts = decoded
      .filter((e) => e.type === 'text-delta')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(texts).toBe('Hello');
    expect(decoded).toContainEqual({ type: 'reasoning-signature', block: 0, signature: 'sig-abc' });
    const calls = decoded.filter((e) => e.type === 'tool-call-start');
    expect(calls).toEqual([
      { type: 'tool-call-start', block: 2, id: 'call_a', name: 'f' },
      { type: 'tool-call-start', block: 3, id: 'call_b', name: 'g' },
    ]);
    const argsOf = (block: number) =>
      decoded
        .filter((e) => e.type === 'tool-call-delta' && e.block === block)
        .map((e) => (e as { argumentsDelta: string }).argumentsDelta)
        .join('');
    expect(JSON.parse(argsOf(2))).toEqual({ a: 1 });
    expect(JSON.parse(argsOf(3))).toEqual({ b: 2 });
  });

  it('sends an error event mid-stream and nothing after it', () => {
    const encoder = anthropicClient.createStreamEncoder(anthropicClient.decodeRequest(base));
    let out = encoder.push(streamEvents[0]) + encoder.push({ type: 'text-start', block: 0 });
    out += encoder.push({ type: 'error', error: { status: 529, kind: 'overloaded', message: 'busy' } });
    out += encoder.push({ type: 'text-delta', block: 0, text: 'late' });
    const events = parseSse(out);
    expect(events.at(-1)).toEqual({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"busy"}}' });
    expect(decodeStream(out).at(-1)).toMatchObject({ type: 'error', error: { kind: 'overloaded', message: 'busy' } });
  });
});

describe('anthropic upstream: encodeRequest', () => {
  const canonical: CanonicalRequest = {
    model: 'public-name',
    stream: false,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'S1', cacheControl: { type: 'ephemeral' } }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'image', source: { kind: 'url', url: 'data:image/png;base64,AAAA' } },
        ],
      },
      { role: 'developer', content: [{ type: 'text', text: 'D1' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'unsigned' },
          { type: 'text', text: '' },
          { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"x":1}' },
          { type: 'tool_call', id: 'call_2', name: 'g', arguments: '' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'one' }] }] },
      { role: 'user', content: [{ type: 'text', text: 'note' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'two' }], isError: true }] },
    ],
    tools: [
      { name: 'f', parameters: { type: 'object', properties: { x: { type: 'number' } } } },
      { name: 'g', parameters: {} },
    ],
    toolChoice: { type: 'required' },
    parallelToolCalls: false,
    temperature: 1.5,
    stop: ['END'],
    user: 'u1',
  };
  const body = anthropicUpstream.encodeRequest(canonical, { upstreamModel: 'claude-real' });

  it('gathers system text, merges turns and keeps tool ids, results first', () => {
    expect(body.model).toBe('claude-real');
    expect(body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(body.system).toEqual([
      { type: 'text', text: 'S1', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'D1' },
    ]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'f', input: { x: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'one' }] },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'two' }], is_error: true },
          { type: 'text', text: 'note' },
        ],
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect((body.tools as Array<{ input_schema: unknown }>)[1].input_schema).toEqual({ type: 'object' });
    expect(body).toMatchObject({ temperature: 1, stop_sequences: ['END'], metadata: { user_id: 'u1' } });
    expect(body.stream).toBeUndefined();
  });

  it('uses the client limit, then the target limit, then 4096', () => {
    const r: CanonicalRequest = { model: 'm', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] };
    expect(anthropicUpstream.encodeRequest(r, { upstreamModel: 'c', maxOutputTokens: 64000 }).max_tokens).toBe(64000);
    expect(anthropicUpstream.encodeRequest({ ...r, maxTokens: 10 }, { upstreamModel: 'c', maxOutputTokens: 64000 }).max_tokens).toBe(10);
    expect(anthropicUpstream.encodeRequest(r, { upstreamModel: 'c' })).toMatchObject({ max_tokens: 4096, stream: true });
  });

  it('maps reasoning effort to a thinking budget and drops sampling Anthropic refuses with thinking', () => {
    const r: CanonicalRequest = {
      model: 'm',
      stream: false,
      maxTokens: 20000,
      temperature: 0.2,
      topK: 5,
      reasoning: { effort: 'high' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
    };
    const out = anthropicUpstream.encodeRequest(r, { upstreamModel: 'c' });
    expect(out.thinking).toEqual({ type: 'enabled', budget_tokens: 16384 });
    expect(out.temperature).toBeUndefined();
    expect(out.top_k).toBeUndefined();
    expect(anthropicUpstream.encodeRequest({ ...r, maxTokens: 2000 }, { upstreamModel: 'c' }).thinking).toEqual({ type: 'enabled', budget_tokens: 1999 });
    expect(anthropicUpstream.encodeRequest({ ...r, reasoning: { effort: 'none' } }, { upstreamModel: 'c' }).thinking).toBeUndefined();
  });

  it('carries a JSON schema as output_config.format and a schema-less JSON answer as a forced tool read back as text', () => {
    const r: CanonicalRequest = {
      model: 'm',
      stream: false,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object', properties: { a: { type: 'string' } } } },
    };
    const out = anthropicUpstream.encodeRequest(r, { upstreamModel: 'c' });
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } });
    expect(out.tools).toBeUndefined();
    // With tools it still works: structured output and tools combine.
    const withTools = anthropicUpstream.encodeRequest({ ...r, tools: [{ name: 't', parameters: { type: 'object' } }] }, { upstreamModel: 'c' });
    expect(withTools.output_config).toEqual(out.output_config);
    expect((withTools.tools as any[]).map((t) => t.name)).toEqual(['t']);
    const json = anthropicUpstream.encodeRequest({ ...r, responseFormat: { type: 'json_object' } }, { upstreamModel: 'c' });
    expect(json.tool_choice).toEqual({ type: 'tool', name: JSON_RESPONSE_TOOL });
    const warnings: string[] = [];
    const jsonWithTools = anthropicUpstream.encodeRequest(
      { ...r, responseFormat: { type: 'json_object' }, tools: [{ name: 't', parameters: {} }] },
      { upstreamModel: 'c', warnings },
    );
    expect(jsonWithTools.tool_choice).toBeUndefined();
    expect(warnings).toEqual(['response_format json_object dropped (tools present)']);
    const decoded = anthropicUpstream.decodeResponse({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'c',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [{ type: 'tool_use', id: 'toolu_1', name: JSON_RESPONSE_TOOL, input: { a: 'b' } }],
      usage: { input_tokens: 1, output_tokens: 2 },
    });
    expect(decoded.content).toEqual([{ type: 'text', text: '{"a":"b"}' }]);
    expect(decoded.finishReason).toBe('stop');
  });
});

describe('anthropic upstream: decodeResponse, stream decoder, errors', () => {
  it('adds cache reads and writes into canonical input tokens', () => {
    const r = anthropicUpstream.decodeResponse({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude',
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'redacted_thinking', data: 'zz' },
        { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
      ],
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 },
    });
    expect(r.usage).toEqual({ inputTokens: 117, outputTokens: 5, cachedInputTokens: 100, cacheWriteTokens: 7 });
    expect(r.finishReason).toBe('stop_sequence');
    expect(r.stopSequence).toBe('END');
    expect(r.content).toEqual([
      { type: 'text', text: 'hi' },
      { type: 'reasoning', text: '', redactedData: 'zz' },
    ]);
  });

  it('ignores pings, turns error events into canonical errors and flags truncated streams', () => {
    const decoder = anthropicUpstream.createStreamDecoder();
    expect(decoder.push({ event: 'ping', data: '{"type":"ping"}' })).toEqual([]);
    expect(decoder.push({ event: 'error', data: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' })).toEqual([
      { type: 'error', error: { status: 429, kind: 'rate_limit', message: 'slow down' } },
    ]);
    const truncated = anthropicUpstream.createStreamDecoder();
    truncated.push({
      event: 'message_start',
      data: '{"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":3,"output_tokens":1}}}',
    });
    expect(truncated.end()).toMatchObject([{ type: 'error', error: { kind: 'upstream' } }]);
  });

  it('extracts upstream error messages', () => {
    expect(anthropicUpstream.decodeErrorMessage(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).toBe(
      'invalid_request_error: bad',
    );
    expect(anthropicUpstream.decodeErrorMessage(502, undefined)).toBe('Upstream returned HTTP 502');
  });
});

describe('estimateInputTokens', () => {
  it('counts system, messages, tools and images', () => {
    const r = anthropicClient.decodeRequest({ ...base, system: 'You are a helpful assistant.' });
    const plain = estimateInputTokens(r);
    expect(plain).toBeGreaterThan(5);
    expect(plain).toBeLessThan(40);
    const withImage = anthropicClient.decodeRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
    });
    expect(estimateInputTokens(withImage) - estimateInputTokens(anthropicClient.decodeRequest(base))).toBeGreaterThanOrEqual(1000);
    const withTools = anthropicClient.decodeRequest({
      ...base,
      tools: [{ name: 'get_weather', description: 'Get the weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    });
    expect(estimateInputTokens(withTools)).toBeGreaterThan(estimateInputTokens(anthropicClient.decodeRequest(base)) + 10);
  });
});

describe('anthropic mock, driven by the official SDK', () => {
  let mock: MockUpstream;
  let client: Anthropic;
  beforeAll(async () => {
    mock = await startAnthropicMock();
    client = new Anthropic({ apiKey: DEFAULT_API_KEY, baseURL: mock.url, maxRetries: 0 });
  });
  afterAll(() => mock.close());

  it('answers create() and stream().finalMessage() by the default rules', async () => {
    const made = await client.messages.create({ model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'ping' }] });
    expect(made.content).toEqual([{ type: 'text', text: 'Hello from anthropic: ping' }]);
    expect(made.usage).toMatchObject({ input_tokens: 12, output_tokens: 8 });
    mock.setUsage({ input: 40, output: 9, cached: 30 });
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 50, messages: [{ role: 'user', content: 'streamed' }] });
    const final = await stream.finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: 'Hello from anthropic: streamed' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 9 });
    mock.setUsage({ input: 12, output: 8 });
    expect(mock.requests.at(-1)!.headers['anthropic-version']).toBeTruthy();
  });

  it('does a tool round trip and validates tool_result ids', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const first = await client.messages
      .stream({ model: 'claude-x', max_tokens: 50, tools, messages: [{ role: 'user', content: 'weather in Paris?' }] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b) => b.type === 'tool_use')!;
    expect(call).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const history = [
      { role: 'user' as const, content: 'weather in Paris?' },
      { role: 'assistant' as const, content: first.content },
    ];
    const second = await client.messages.create({
      model: 'claude-x',
      max_tokens: 50,
      tools,
      messages: [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny' }] }],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: sunny' }]);
    await expect(
      client.messages.create({
        model: 'claude-x',
        max_tokens: 50,
        tools,
        messages: [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_wrong', content: 'x' }] }],
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('streams thinking then text, and serves count_tokens and models', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'deep thought', text: '42' });
    const final = await client.messages.stream({ model: 'claude-x', max_tokens: 5000, messages: [{ role: 'user', content: 'q' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: 'deep thought' });
    expect((final.content[0] as { signature: string }).signature).toMatch(/^sig_/);
    expect(final.content[1]).toMatchObject({ type: 'text', text: '42' });
    const count = await client.messages.countTokens({ model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(count.input_tokens).toBe(12);
    const page = await client.models.list({ limit: 2 });
    expect(page.data.map((m) => m.id)).toHaveLength(2);
    expect(page.has_more).toBe(true);
  });

  it('rejects bad keys, missing headers and malformed bodies like the real API', async () => {
    const bad = new Anthropic({ apiKey: 'nope', baseURL: mock.url, maxRetries: 0 });
    await expect(bad.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      error: { error: { type: 'authentication_error' } },
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${mock.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', 'x-api-key': DEFAULT_API_KEY, 'anthropic-version': '2023-06-01', ...headers },
      });
    const noVersion = await fetch(`${mock.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': DEFAULT_API_KEY }, body: JSON.stringify(base) });
    expect(noVersion.status).toBe(400);
    for (const body of [
      { model: 'c', messages: [{ role: 'user', content: 'x' }] },
      { ...base, messages: [{ role: 'assistant', content: 'x' }] },
      {
        ...base,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'user', content: 'y' },
        ],
      },
      { ...base, messages: [{ role: 'system', content: 'x' }] },
      { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
    ]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
  });

  it('plays error, drop and hang scenarios and counts client aborts', async () => {
    mock.enqueue({ type: 'error', status: 529 });
    await expect(client.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 529,
      error: { error: { type: 'overloaded_error' } },
    });
    mock.enqueue({ type: 'drop_mid_stream', text: 'partial answer here' });
    await expect(client.messages.stream({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage()).rejects.toBeDefined();
    const before = mock.aborted;
    mock.enqueue({ type: 'hang' });
    await expect(client.messages.create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { timeout: 200 })).rejects.toBeDefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.aborted).toBe(before + 1);
  });

  it('carries a gateway translation end to end with consistent tool ids', async () => {
    const request = anthropicClient.decodeRequest({
      model: 'public',
      max_tokens: 100,
      system: 'sys',
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
      messages: [{ role: 'user', content: 'weather?' }],
    });
    const call = async (r: CanonicalRequest) => {
      const res = await fetch(`${mock.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': DEFAULT_API_KEY, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify(anthropicUpstream.encodeRequest(r, { upstreamModel: 'claude-real' })),
      });
      expect(res.status).toBe(200);
      return anthropicUpstream.decodeResponse(await res.json());
    };
    const first = await call(request);
    const toolCall = first.content.find((p) => p.type === 'tool_call')!;
    expect(first.finishReason).toBe('tool_calls');
    const next: CanonicalRequest = {
      ...request,
      messages: [
        ...request.messages,
        { role: 'assistant', content: first.content },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: (toolCall as { id: string }).id, content: [{ type: 'text', text: 'rain' }] }] },
      ],
      stream: true,
    };
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DEFAULT_API_KEY, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(anthropicUpstream.encodeRequest(next, { upstreamModel: 'claude-real' })),
    });
    const events = decodeStream(await res.text());
    expect(
      events
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('Tool said: rain');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 8 } });
    expect(mock.requests.at(-1)!.body.model).toBe('claude-real');
  });
});

describe('the SDK stream helper reads the gateway stream encoder', () => {
  let server: CustomUpstream;
  let url: string;
  beforeAll(async () => {
    server = await startCustomUpstream((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(encodeAll(streamEvents));
    });
    url = server.url;
  });
  afterAll(() => server.close());

  it('finalMessage() rebuilds thinking, text and both tool calls', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(texts.join('')).toBe('Hello');
    expect(final.content).toMatchObject([
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig-abc' },
      { type: 'text', text: 'Hello' },
      { type: 'tool_use', id: 'call_a', name: 'f', input: { a: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'g', input: { b: 2 } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 30, output_tokens: 31, cache_read_input_tokens: 20 });
    expect(final.id).toMatch(/^msg_/);
  });
});
