/**
 * The 3 × 5 matrix: every client API (OpenAI chat completions and responses,
 * Anthropic messages, through the official SDKs) against every upstream wire
 * (OpenAI chat, OpenAI Responses, Anthropic, Gemini, Azure OpenAI), for plain
 * text, streamed text, tool round trips, image input and usage numbers. Each
 * case checks what the client got and what the mock upstream received.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream, RecordedRequest } from '../support/mock-upstreams/types.js';
import {
  IMAGE_HTTP_URL,
  PNG_BASE64,
  PNG_DATA_URL,
  UPSTREAMS,
  UPSTREAM_KINDS,
  addUpstream,
  anthropicClient,
  createKey,
  lastRequest,
  modelFor,
  openaiClient,
  parseSse,
  postRaw,
  type UpstreamKind,
} from '../support/proxy-fixture.js';

let gw: TestGateway;
let oai: OpenAI;
let ant: Anthropic;
let key: string;
const mocks = {} as Record<UpstreamKind, MockUpstream>;

beforeAll(async () => {
  gw = await startTestGateway();
  for (const kind of UPSTREAM_KINDS) mocks[kind] = (await addUpstream(gw, kind)).mock;
  key = (await createKey(gw)).key;
  oai = openaiClient(gw, key);
  ant = anthropicClient(gw, key);
});

afterAll(async () => {
  await gw?.stop();
  await Promise.all(Object.values(mocks).map((m) => m.close()));
});

afterEach(() => {
  for (const mock of Object.values(mocks)) mock.setUsage({ input: 12, output: 8 });
});

// ---------------------------------------------------------------- what the clients send and see

type Api = 'chat' | 'responses' | 'messages';
const APIS: Api[] = ['chat', 'responses', 'messages'];

interface Usage {
  input: number;
  output: number;
  cached?: number;
}

interface ToolTurn {
  id: string;
  name: string;
  args: unknown;
  stop: string;
}

/** One client API, driven through its official SDK. */
interface Driver {
  text(model: string, prompt: string, system: string, stream: boolean): Promise<{ text: string; usage: Usage; stop: string }>;
  /** First turn (tool call), then the tool result sent back with the same id; returns both turns. */
  toolRoundTrip(model: string, stream: boolean, result: string): Promise<{ call: ToolTurn; final: string }>;
  image(model: string, url: 'base64' | 'http'): Promise<string>;
  /** The stop reason this API reports for a natural end. */
  naturalStop: string;
  toolStop: string;
}

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const WEATHER_QUESTION = 'What is the weather in Paris?';

const chatDriver: Driver = {
  naturalStop: 'stop',
  toolStop: 'tool_calls',
  async text(model, prompt, system, stream) {
    const body = {
      model,
      messages: [
        { role: 'system' as const, content: system },
        { role: 'user' as const, content: prompt },
      ],
    };
    const done = stream
      ? await oai.chat.completions.stream({ ...body, stream_options: { include_usage: true } }).finalChatCompletion()
      : await oai.chat.completions.create(body);
    const u = done.usage!;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    return {
      text: done.choices[0].message.content ?? '',
      stop: done.choices[0].finish_reason,
      usage: { input: u.prompt_tokens, output: u.completion_tokens, cached: u.prompt_tokens_details?.cached_tokens ?? 0 },
    };
  },
  async toolRoundTrip(model, stream, result) {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_SCHEMA } }];
    const user = { role: 'user' as const, content: WEATHER_QUESTION };
    const call = async (messages: OpenAI.Chat.ChatCompletionMessageParam[]) =>
      stream ? oai.chat.completions.stream({ model, messages, tools }).finalChatCompletion() : oai.chat.completions.create({ model, messages, tools });
    const first = await call([user]);
    const message = first.choices[0].message;
    expect(message.tool_calls).toHaveLength(1);
    const toolCall = message.tool_calls![0];
    if (toolCall.type !== 'function') throw new Error('expected a function call');
    const second = await call([
      user,
      { role: 'assistant', content: message.content, tool_calls: [{ id: toolCall.id, type: 'function', function: toolCall.function }] },
      { role: 'tool', tool_call_id: toolCall.id, content: result },
    ]);
    return {
      call: { id: toolCall.id, name: toolCall.function.name, args: JSON.parse(toolCall.function.arguments), stop: first.choices[0].finish_reason },
      final: second.choices[0].message.content ?? '',
    };
  },
  async image(model, kind) {
    const url = kind === 'base64' ? PNG_DATA_URL : IMAGE_HTTP_URL;
    const done = await oai.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });
    return done.choices[0].message.content ?? '';
  },
};

const responsesDriver: Driver = {
  naturalStop: 'completed',
  toolStop: 'completed',
  async text(model, prompt, system, stream) {
    const body = { model, instructions: system, input: prompt };
    const done = stream ? await oai.responses.stream(body).finalResponse() : await oai.responses.create(body);
    const u = done.usage!;
    expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens);
    return {
      text: done.output_text,
      stop: done.status ?? '',
      usage: { input: u.input_tokens, output: u.output_tokens, cached: u.input_tokens_details?.cached_tokens ?? 0 },
    };
  },
  async toolRoundTrip(model, stream, result) {
    const tools = [{ type: 'function' as const, name: 'get_weather', description: 'Current weather', parameters: WEATHER_SCHEMA, strict: false }];
    const user = { role: 'user' as const, content: WEATHER_QUESTION };
    const call = async (input: OpenAI.Responses.ResponseInputItem[]): Promise<OpenAI.Responses.Response> =>
      stream ? oai.responses.stream({ model, input, tools }).finalResponse() : oai.responses.create({ model, input, tools });
    const first = await call([user]);
    const calls = first.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
    expect(calls).toHaveLength(1);
    const fc = calls[0];
    const second = await call([user, fc, { type: 'function_call_output', call_id: fc.call_id, output: result }]);
    return {
      call: { id: fc.call_id, name: fc.name, args: JSON.parse(fc.arguments), stop: first.status ?? '' },
      final: second.output_text,
    };
  },
  async image(model, kind) {
    const url = kind === 'base64' ? PNG_DATA_URL : IMAGE_HTTP_URL;
    const done = await oai.responses.create({
      model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: url, detail: 'auto' },
          ],
        },
      ],
    });
    return done.output_text;
  },
};

const messagesDriver: Driver = {
  naturalStop: 'end_turn',
  toolStop: 'tool_use',
  async text(model, prompt, system, stream) {
    const body = { model, max_tokens: 256, system, messages: [{ role: 'user' as const, content: prompt }] };
    const done = stream ? await ant.messages.stream(body).finalMessage() : await ant.messages.create(body);
    const u = done.usage;
    const cached = u.cache_read_input_tokens ?? 0;
    return {
      text: done.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      stop: done.stop_reason ?? '',
      // Anthropic reports cache reads apart from input_tokens.
      usage: { input: u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0), output: u.output_tokens, cached },
    };
  },
  async toolRoundTrip(model, stream, result) {
    const tools = [{ name: 'get_weather', description: 'Current weather', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema }];
    const user = { role: 'user' as const, content: WEATHER_QUESTION };
    const call = async (messages: Anthropic.MessageParam[]) => {
      const body = { model, max_tokens: 256, messages, tools };
      return stream ? ant.messages.stream(body).finalMessage() : ant.messages.create(body);
    };
    const first = await call([user]);
    const uses = first.content.filter((b) => b.type === 'tool_use');
    expect(uses).toHaveLength(1);
    const use = uses[0];
    const second = await call([
      user,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: result }] },
    ]);
    return {
      call: { id: use.id, name: use.name, args: use.input, stop: first.stop_reason ?? '' },
      final: second.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
    };
  },
  async image(model, kind) {
    const source: Anthropic.ImageBlockParam['source'] =
      kind === 'base64' ? { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } : { type: 'url', url: IMAGE_HTTP_URL };
    const done = await ant.messages.create({
      model,
      max_tokens: 256,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source },
          ],
        },
      ],
    });
    return done.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  },
};

const DRIVERS: Record<Api, Driver> = { chat: chatDriver, responses: responsesDriver, messages: messagesDriver };

// ---------------------------------------------------------------- what the upstream received

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join('') : '';

function receivedModel(kind: UpstreamKind, req: RecordedRequest): string | undefined {
  if (kind === 'gemini') return /\/models\/([^:/?]+):/.exec(req.url)?.[1];
  if (kind === 'azure-openai') return /\/deployments\/([^/]+)\//.exec(req.url)?.[1];
  return req.body.model;
}

/** The system prompt where the upstream's format wants it (and nowhere else). */
function receivedSystem(kind: UpstreamKind, body: any): string | undefined {
  switch (kind) {
    case 'openai-chat':
    case 'azure-openai': {
      const systems = body.messages.filter((m: any) => m.role === 'system' || m.role === 'developer');
      expect(systems).toHaveLength(1);
      expect(body.messages[0]).toBe(systems[0]);
      return textOf(systems[0].content);
    }
    case 'openai-responses': {
      const items = Array.isArray(body.input) ? body.input : [];
      const systems = items.filter((m: any) => m.role === 'system' || m.role === 'developer');
      if (body.instructions !== undefined && body.instructions !== null) {
        expect(systems).toHaveLength(0);
        return body.instructions;
      }
      expect(systems).toHaveLength(1);
      expect(items[0]).toBe(systems[0]);
      return textOf(systems[0].content);
    }
    case 'anthropic':
      expect(body.messages.every((m: any) => m.role === 'user' || m.role === 'assistant')).toBe(true);
      return textOf(body.system);
    case 'gemini':
      expect(body.contents.every((c: any) => c.role === 'user' || c.role === 'model')).toBe(true);
      return textOf(body.systemInstruction?.parts);
  }
}

/** Tool call id and tool result id (or names, for Gemini) in the second turn the upstream received. */
function receivedToolTurn(kind: UpstreamKind, body: any): { callId?: string; resultId?: string; callName?: string; resultText: string } {
  switch (kind) {
    case 'openai-chat':
    case 'azure-openai': {
      const assistant = body.messages.find((m: any) => m.role === 'assistant');
      const tool = body.messages.find((m: any) => m.role === 'tool');
      return {
        callId: assistant?.tool_calls?.[0]?.id,
        callName: assistant?.tool_calls?.[0]?.function?.name,
        resultId: tool?.tool_call_id,
        resultText: textOf(tool?.content),
      };
    }
    case 'openai-responses': {
      const call = body.input.find((i: any) => i.type === 'function_call');
      const output = body.input.find((i: any) => i.type === 'function_call_output');
      return { callId: call?.call_id, callName: call?.name, resultId: output?.call_id, resultText: textOf(output?.output) };
    }
    case 'anthropic': {
      const use = body.messages[1]?.content?.find((b: any) => b.type === 'tool_use');
      const result = body.messages[2]?.content?.find((b: any) => b.type === 'tool_result');
      return { callId: use?.id, callName: use?.name, resultId: result?.tool_use_id, resultText: textOf(result?.content) };
    }
    case 'gemini': {
      const call = body.contents[1]?.parts?.find((p: any) => p.functionCall)?.functionCall;
      const response = body.contents[2]?.parts?.find((p: any) => p.functionResponse)?.functionResponse;
      const r = response?.response;
      return {
        callId: call?.id,
        resultId: response?.id,
        callName: call?.name,
        resultText: typeof r?.result === 'string' ? r.result : typeof r?.content === 'string' ? r.content : JSON.stringify(r),
        ...(response?.name !== call?.name ? { resultText: `name mismatch: ${response?.name} vs ${call?.name}` } : {}),
      };
    }
  }
}

/** The image as the upstream received it: a media type for inline data, the URL otherwise. */
function receivedImage(kind: UpstreamKind, body: any): string | undefined {
  switch (kind) {
    case 'openai-chat':
    case 'azure-openai': {
      const part = body.messages.at(-1).content.find((p: any) => p.type === 'image_url');
      const url: string = part?.image_url?.url;
      return url?.startsWith('data:') ? (url === PNG_DATA_URL ? 'image/png' : 'corrupted data url') : url;
    }
    case 'openai-responses': {
      const part = body.input.at(-1).content.find((p: any) => p.type === 'input_image');
      const url: string = part?.image_url;
      return url?.startsWith('data:') ? (url === PNG_DATA_URL ? 'image/png' : 'corrupted data url') : url;
    }
    case 'anthropic': {
      const block = body.messages.at(-1).content.find((b: any) => b.type === 'image');
      if (block?.source?.type === 'base64') return block.source.data === PNG_BASE64 ? block.source.media_type : 'corrupted base64';
      return block?.source?.url;
    }
    case 'gemini': {
      const part = body.contents.at(-1).parts.find((p: any) => p.inlineData || p.fileData);
      if (part?.inlineData) return part.inlineData.data === PNG_BASE64 ? part.inlineData.mimeType : 'corrupted base64';
      return part?.fileData?.fileUri;
    }
  }
}

// ---------------------------------------------------------------- the matrix

const MATRIX = APIS.flatMap((api) => UPSTREAM_KINDS.map((kind) => ({ api, kind })));

describe.each(MATRIX)('$api client → $kind upstream', ({ api, kind }) => {
  const driver = DRIVERS[api];
  const model = modelFor(kind);

  test.each([false, true])('text (stream: %s) with system prompt and usage', async (stream) => {
    const prompt = `hello ${api} ${stream ? 'streamed' : 'whole'}`;
    const answer = await driver.text(model, prompt, 'Be brief.', stream);
    expect(answer.text).toBe(`Hello from ${kind}: ${prompt}`);
    expect(answer.stop).toBe(driver.naturalStop);
    expect(answer.usage).toEqual({ input: 12, output: 8, cached: 0 });

    const req = lastRequest(mocks[kind]);
    expect(receivedModel(kind, req)).toBe(UPSTREAMS[kind].upstreamModel);
    expect(receivedSystem(kind, req.body)).toBe('Be brief.');
    if (kind === 'gemini') expect(req.url).toContain(stream ? ':streamGenerateContent?alt=sse' : ':generateContent');
    else expect(req.body.stream === true).toBe(stream);
  });

  test.each([false, true])('tool call round trip (stream: %s)', async (stream) => {
    const before = mocks[kind].requests.length;
    const { call, final } = await driver.toolRoundTrip(model, stream, 'sunny, 21 C');
    expect(call.name).toBe('get_weather');
    expect(call.args).toEqual({ city: 'Paris' });
    expect(call.stop).toBe(driver.toolStop);
    expect(call.id).toMatch(/\S{4,}/);
    expect(final).toBe('Tool said: sunny, 21 C');

    const received = mocks[kind].requests.slice(before);
    expect(received).toHaveLength(2);
    const turn = receivedToolTurn(kind, received[1].body);
    expect(turn.callName).toBe('get_weather');
    expect(turn.resultText).toBe('sunny, 21 C');
    if (kind === 'gemini') {
      // Gemini pairs calls and results by name; ids are optional on its wire.
      expect(turn.callId).toBe(turn.resultId);
    } else {
      expect(turn.callId).toBe(call.id);
      expect(turn.resultId).toBe(call.id);
    }
  });

  test.each(['base64', 'http'] as const)('image input (%s)', async (source) => {
    const text = await driver.image(model, source);
    const expected = source === 'base64' ? 'image/png' : IMAGE_HTTP_URL;
    expect(text).toBe(`I see an image (${expected})`);
    expect(receivedImage(kind, lastRequest(mocks[kind]).body)).toBe(expected);
  });
});

describe.each(APIS)('%s client: cached usage', (api) => {
  test.each(UPSTREAM_KINDS)('from %s, streamed and not', async (kind) => {
    mocks[kind].setUsage({ input: 100, output: 20, cached: 40 });
    for (const stream of [false, true]) {
      const answer = await DRIVERS[api].text(modelFor(kind), 'count my tokens', 'Be brief.', stream);
      expect(answer.usage).toEqual({ input: 100, output: 20, cached: 40 });
    }
  });
});

describe("usage in the client's own shape", () => {
  test('anthropic client sees cache reads apart from input_tokens', async () => {
    mocks['openai-chat'].setUsage({ input: 100, output: 20, cached: 40 });
    const done = await ant.messages.create({ model: modelFor('openai-chat'), max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    expect(done.usage.input_tokens).toBe(60);
    expect(done.usage.cache_read_input_tokens).toBe(40);
    expect(done.usage.output_tokens).toBe(20);
  });

  test('chat client sees the anthropic cache reads inside prompt_tokens', async () => {
    mocks.anthropic.setUsage({ input: 100, output: 20, cached: 40 });
    const done = await oai.chat.completions.create({ model: modelFor('anthropic'), messages: [{ role: 'user', content: 'hi' }] });
    expect(done.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 40 } });
  });
});

// ---------------------------------------------------------------- stream grammar on the wire

describe.each(UPSTREAM_KINDS)('raw stream events from %s', (kind) => {
  const headers = () => ({ authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' });

  test('responses: the full typed event sequence, numbered from 0', async () => {
    const res = await postRaw(gw, '/v1/responses', { model: modelFor(kind), input: 'grammar', stream: true }, headers());
    const events = parseSse(res.text);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const types = [...new Set(events.map((e) => e.event))];
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.at(-1)!.data.response;
    expect(done.id).toBe(events[0].data.response.id);
    expect(done.status).toBe('completed');
    expect(done.output[0].content[0].text).toBe(`Hello from ${kind}: grammar`);
  });

  test('messages: message_start … message_stop with balanced blocks', async () => {
    const res = await postRaw(
      gw,
      '/v1/messages',
      { model: modelFor(kind), max_tokens: 64, messages: [{ role: 'user', content: 'grammar' }], stream: true },
      headers(),
    );
    const events = parseSse(res.text).filter((e) => e.event !== 'ping');
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events[0].event).toBe('message_start');
    expect(events.at(-2)!.event).toBe('message_delta');
    expect(events.at(-1)!.event).toBe('message_stop');
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.index);
    const stops = events.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index);
    expect(starts).toEqual([0]);
    expect(stops).toEqual([0]);
    expect(events.at(-2)!.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 8 } });
  });

  test('chat: chunks of one id, a finish_reason, then [DONE]', async () => {
    const res = await postRaw(gw, '/v1/chat/completions', { model: modelFor(kind), messages: [{ role: 'user', content: 'grammar' }], stream: true }, headers());
    const events = parseSse(res.text);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events
      .slice(0, -1)
      .map((e) => e.data)
      .filter((c) => c.id !== '');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(`Hello from ${kind}: grammar`);
  });
});
