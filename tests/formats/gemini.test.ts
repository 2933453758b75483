import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../server/core/index.js';
import { GatewayError } from '../../server/core/index.js';
import {
  SKIP_SIGNATURE,
  cleanSchema,
  decodeGeminiEmbeddingResponse,
  encodeGeminiEmbeddingRequest,
  geminiUpstream,
  guessMimeType,
} from '../../server/proxy/formats/gemini/index.js';
import { startGeminiMock } from '../support/mock-upstreams/gemini.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { decodeSse } from './stream-helpers.js';

const decodeStream = (text: string) => decodeSse(geminiUpstream, text);

const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });

describe('gemini upstream: encodeRequest', () => {
  const request: CanonicalRequest = {
    model: 'public',
    stream: false,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/a/photo.PNG?x=1' } },
          { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklG' } },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/gif', data: 'R0lG' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'thinking' },
          { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'toolu_2', name: 'get_time', arguments: '' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: '{"temp":21}' }] }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'noon' }], isError: true }] },
      user('thanks'),
    ],
    tools: [
      {
        name: 'get_weather',
        description: 'Weather',
        parameters: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          additionalProperties: false,
          properties: { city: { type: ['string', 'null'], examples: ['Paris'] }, unit: { const: 'c' } },
          required: ['city'],
        },
      },
      { name: 'get_time', parameters: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'get_weather' },
    maxTokens: 300,
    temperature: 0.3,
    topP: 0.8,
    topK: 20,
    stop: ['END'],
    seed: 7,
    reasoning: { effort: 'low' },
    responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } } },
  };
  const body = geminiUpstream.encodeRequest(request, { upstreamModel: 'gemini-2.5-flash' });

  it('builds systemInstruction and user/model contents with merged tool answers', () => {
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.\n\nUse metric.' }] });
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Weather here?' },
          { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a/photo.PNG?x=1' } },
          { inlineData: { mimeType: 'image/webp', data: 'UklG' } },
          { inlineData: { mimeType: 'image/gif', data: 'R0lG' } },
        ],
      },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SKIP_SIGNATURE },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
          { functionResponse: { name: 'get_time', response: { error: 'noon' } } },
          { text: 'thanks' },
        ],
      },
    ]);
  });

  it('declares cleaned tools, tool config and generation config', () => {
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string', nullable: true }, unit: { type: 'string', enum: ['c'] } }, required: ['city'] },
          },
          { name: 'get_time' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 300,
      temperature: 0.3,
      topP: 0.8,
      topK: 20,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { a: { type: 'string' } } },
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    });
    expect(JSON.stringify(body)).not.toMatch(/additionalProperties|\$schema|examples/);
  });

  it('maps tool choice modes and thinking settings', () => {
    const base: CanonicalRequest = { model: 'm', stream: false, messages: [user('x')], tools: [{ name: 't', parameters: {} }] };
    const mode = (r: Partial<CanonicalRequest>) =>
      (geminiUpstream.encodeRequest({ ...base, ...r }, { upstreamModel: 'g' }).toolConfig as { functionCallingConfig: { mode: string } }).functionCallingConfig
        .mode;
    expect(mode({ toolChoice: { type: 'auto' } })).toBe('AUTO');
    expect(mode({ toolChoice: { type: 'required' } })).toBe('ANY');
    expect(mode({ toolChoice: { type: 'none' } })).toBe('NONE');
    const config = (r: Partial<CanonicalRequest>) => geminiUpstream.encodeRequest({ ...base, ...r }, { upstreamModel: 'g' }).generationConfig;
    expect(config({ reasoning: { disabled: true } })).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    expect(config({ reasoning: { budgetTokens: 2000 } })).toEqual({ thinkingConfig: { thinkingBudget: 2000, includeThoughts: true } });
    expect(config({ responseFormat: { type: 'json_object' } })).toEqual({ responseMimeType: 'application/json' });
    expect(config({})).toBeUndefined();
  });

  it('refuses a tool result whose call it cannot name', () => {
    const r: CanonicalRequest = {
      model: 'm',
      stream: false,
      messages: [user('x'), { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'nope', content: [] }] }],
    };
    expect(() => geminiUpstream.encodeRequest(r, { upstreamModel: 'g' })).toThrow(GatewayError);
    const named: CanonicalRequest = {
      ...r,
      messages: [
        user('x'),
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'nope', toolName: 'lookup', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    };
    expect((geminiUpstream.encodeRequest(named, { upstreamModel: 'g' }).contents as Array<{ parts: unknown[] }>)[0].parts[1]).toEqual({
      functionResponse: { name: 'lookup', response: { result: 'ok' } },
    });
  });

  it('guesses MIME types and cleans nested schemas', () => {
    expect(guessMimeType('https://x/y.jpeg')).toBe('image/jpeg');
    expect(guessMimeType('https://x/y')).toBe('image/jpeg');
    expect(
      cleanSchema({
        type: 'array',
        items: { type: 'object', properties: { n: { anyOf: [{ type: 'integer' }, { type: 'null' }] } }, additionalProperties: {} },
      }),
    ).toEqual({ type: 'array', items: { type: 'object', properties: { n: { type: 'integer', nullable: true } } } });
  });
});

describe('gemini upstream: decodeResponse', () => {
  it('reads text, thoughts, function calls and usage', () => {
    const r = geminiUpstream.decodeResponse({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'plan', thought: true },
              { text: 'Hi ' },
              { text: 'there' },
              { functionCall: { name: 'f', args: { a: 1 } } },
              { functionCall: { id: 'fc-9', name: 'g' } },
            ],
          },
          finishReason: 'STOP',
        },
      ],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, thoughtsTokenCount: 5, cachedContentTokenCount: 40, totalTokenCount: 125 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'resp-1',
    });
    expect(r.content.slice(0, 2)).toEqual([
      { type: 'reasoning', text: 'plan' },
      { type: 'text', text: 'Hi there' },
    ]);
    expect(r.content[2]).toMatchObject({ type: 'tool_call', name: 'f', arguments: '{"a":1}' });
    expect((r.content[2] as { id: string }).id).toMatch(/^call_/);
    expect(r.content[3]).toEqual({ type: 'tool_call', id: 'fc-9', name: 'g', arguments: '{}' });
    expect(r.finishReason).toBe('tool_calls');
    expect(r.usage).toEqual({ inputTokens: 100, outputTokens: 25, cachedInputTokens: 40, reasoningTokens: 5 });
    expect(r).toMatchObject({ id: 'resp-1', model: 'gemini-2.5-flash' });
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'error'],
    ['OTHER', 'stop'],
  ])('maps finishReason %s to %s', (finishReason, expected) => {
    expect(geminiUpstream.decodeResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] }).finishReason).toBe(expected);
  });

  it('treats a blocked prompt as content_filter and reads error messages', () => {
    expect(geminiUpstream.decodeResponse({ promptFeedback: { blockReason: 'SAFETY' } }).finishReason).toBe('content_filter');
    expect(geminiUpstream.decodeErrorMessage(400, { error: { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' } })).toBe(
      'INVALID_ARGUMENT: bad field',
    );
    expect(geminiUpstream.decodeErrorMessage(400, [{ error: { code: 400, message: 'in a list', status: 'INVALID_ARGUMENT' } }])).toBe(
      'INVALID_ARGUMENT: in a list',
    );
  });
});

describe('gemini upstream: stream decoder', () => {
  const frame = (parts: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts }, ...extra }], responseId: 'r1', modelVersion: 'gemini-x' })}\r\n\r\n`;

  it('keeps text in one block, brackets thoughts and emits whole function calls', () => {
    const events = decodeStream(
      frame([{ text: 'think', thought: true }]) +
        frame([{ text: 'Hel' }]) +
        frame([{ text: 'lo' }]) +
        frame([{ functionCall: { name: 'f', args: { a: 1 } } }]) +
        `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 4, thoughtsTokenCount: 2 } })}\r\n\r\n`,
    );
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'text-start',
      'usage',
      'text-end',
      'finish',
    ]);
    expect(events[0]).toMatchObject({ type: 'start', id: 'r1', model: 'gemini-x' });
    expect(events[8]).toMatchObject({ type: 'tool-call-start', name: 'f', block: 2 });
    expect(events[9]).toEqual({ type: 'tool-call-delta', block: 2, argumentsDelta: '{"a":1}' });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 9, outputTokens: 6, reasoningTokens: 2 } });
  });

  it('turns an error chunk into an error event', () => {
    const events = decodeStream(
      frame([{ text: 'a' }]) + `data: ${JSON.stringify({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } })}\r\n\r\n`,
    );
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 503, kind: 'overloaded', message: 'overloaded' } });
    expect(events.filter((e) => e.type === 'text-end')).toHaveLength(1);
  });
});

describe('gemini embeddings translation', () => {
  it('builds batchEmbedContents and returns the OpenAI list shape', () => {
    const body = encodeGeminiEmbeddingRequest({ model: 'emb', input: ['a', 'bc'], dimensions: 4 }, 'text-embedding-004');
    expect(body).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 4 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'bc' }] }, outputDimensionality: 4 },
      ],
    });
    const list = decodeGeminiEmbeddingResponse({ embeddings: [{ values: [1, 2] }, { values: [3, 4] }] }, 'emb', ['a', 'bc']);
    expect(list).toMatchObject({
      object: 'list',
      model: 'emb',
      data: [
        { object: 'embedding', index: 0, embedding: [1, 2] },
        { object: 'embedding', index: 1, embedding: [3, 4] },
      ],
    });
    expect(list.usage.prompt_tokens).toBeGreaterThan(0);
    expect(() => encodeGeminiEmbeddingRequest({ input: [1, 2] }, 'x')).toThrow(/input/);
  });
});

describe('gemini mock', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startGeminiMock();
  });
  afterAll(() => mock.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': DEFAULT_API_KEY }) =>
    fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers generateContent by the default rules through the codec', async () => {
    const request: CanonicalRequest = { model: 'public', stream: false, messages: [{ role: 'system', content: [{ type: 'text', text: 's' }] }, user('hello')] };
    const res = await post('/v1beta/models/gemini-2.5-flash:generateContent', geminiUpstream.encodeRequest(request, { upstreamModel: 'gemini-2.5-flash' }));
    expect(res.status).toBe(200);
    const decoded = geminiUpstream.decodeResponse(await res.json());
    expect(decoded.content).toEqual([{ type: 'text', text: 'Hello from gemini: hello' }]);
    expect(decoded.usage).toEqual({ inputTokens: 12, outputTokens: 8 });
    expect(decoded.finishReason).toBe('stop');
  });

  it('streams over SSE and does a tool round trip with consistent ids', async () => {
    const tools = [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } }];
    const first: CanonicalRequest = { model: 'p', stream: true, tools, messages: [user('weather in Paris?')] };
    const res = await post(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      geminiUpstream.encodeRequest(first, { upstreamModel: 'gemini-2.5-flash' }),
    );
    const events = decodeStream(await res.text());
    const start = events.find((e) => e.type === 'tool-call-start') as { id: string; name: string };
    expect(start.name).toBe('get_weather');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls' });
    const second: CanonicalRequest = {
      ...first,
      messages: [
        ...first.messages,
        { role: 'assistant', content: [{ type: 'tool_call', id: start.id, name: start.name, arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: start.id, content: [{ type: 'text', text: 'sunny' }] }] },
      ],
    };
    const res2 = await post(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      geminiUpstream.encodeRequest(second, { upstreamModel: 'gemini-2.5-flash' }),
    );
    const events2 = decodeStream(await res2.text());
    expect(
      events2
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('Tool said: sunny');
    expect(events2.filter((e) => e.type === 'text-start')).toHaveLength(1);
    expect(mock.requests.at(-1)!.body.contents[2].parts[0]).toEqual({ functionResponse: { name: 'get_weather', response: { result: 'sunny' } } });
  });

  it('streams thoughts then text, honours ?key= and the chunk scenario', async () => {
    mock.enqueue({ type: 'reasoning_then_text', reasoning: 'hmm', text: 'done' });
    const res = await post(
      `/v1beta/models/g:streamGenerateContent?alt=sse&key=${DEFAULT_API_KEY}`,
      { contents: [{ role: 'user', parts: [{ text: 'q' }] }] },
      {},
    );
    const events = decodeStream(await res.text());
    expect(
      events
        .filter((e) => e.type === 'reasoning-delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    ).toBe('hmm');
    expect(events.at(-1)).toMatchObject({ type: 'finish', usage: { outputTokens: 8, reasoningTokens: 3 } });
    mock.enqueue({ type: 'text', text: 'abcdefgh', chunks: 8 });
    const chunked = decodeStream(await (await post('/v1beta/models/g:streamGenerateContent?alt=sse', { contents: [{ parts: [{ text: 'q' }] }] })).text());
    expect(chunked.filter((e) => e.type === 'text-delta')).toHaveLength(8);
  });

  it('validates like Google and rejects bad keys', async () => {
    const bad = await post('/v1beta/models/g:generateContent', { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'wrong' });
    expect(bad.status).toBe(401);
    for (const body of [
      { contents: [] },
      { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
      { contents: [{ role: 'user', parts: [{ functionResponse: { response: {} } }] }] },
    ]) {
      const res = await post('/v1beta/models/g:generateContent', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    }
  });

  it('lists models with pagination, embeds and plays error and hang scenarios', async () => {
    const page1 = await (await fetch(`${mock.url}/v1beta/models?pageSize=2`, { headers: { 'x-goog-api-key': DEFAULT_API_KEY } })).json();
    expect(page1.models).toHaveLength(2);
    const page2 = await (
      await fetch(`${mock.url}/v1beta/models?pageSize=2&pageToken=${page1.nextPageToken}`, { headers: { 'x-goog-api-key': DEFAULT_API_KEY } })
    ).json();
    expect(page2.models[0].name).toMatch(/^models\//);
    const inputs = ['one', 'two'];
    const res = await post(
      '/v1beta/models/text-embedding-004:batchEmbedContents',
      encodeGeminiEmbeddingRequest({ input: inputs, dimensions: 3 }, 'text-embedding-004'),
    );
    const list = decodeGeminiEmbeddingResponse(await res.json(), 'text-embedding-004', inputs);
    expect(list.data.map((d) => d.embedding.length)).toEqual([3, 3]);
    mock.enqueue({ type: 'error', status: 429 });
    const limited = await post('/v1beta/models/g:generateContent', { contents: [{ parts: [{ text: 'x' }] }] });
    expect(limited.status).toBe(429);
    expect(geminiUpstream.decodeErrorMessage(429, await limited.json())).toMatch(/^RESOURCE_EXHAUSTED/);
  });

  it('counts a client abort on a hanging request and drops mid-stream', async () => {
    const before = mock.aborted;
    mock.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const pending = fetch(`${mock.url}/v1beta/models/g:generateContent`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', 'x-goog-api-key': DEFAULT_API_KEY },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(await pending).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.aborted).toBe(before + 1);
    mock.enqueue({ type: 'drop_mid_stream', text: 'partial text that is cut' });
    const res = await post('/v1beta/models/g:streamGenerateContent?alt=sse', { contents: [{ parts: [{ text: 'x' }] }] });
    const reader = res.body!.getReader();
    let received = '';
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += Buffer.from(value).toString('utf8');
      }
    })().catch((err: unknown) => err);
    expect(failure).toBeDefined();
    expect(received).toContain('data: ');
    expect(received).not.toContain('finishReason');
    expect(mock.aborted).toBe(before + 1);
  });
});
