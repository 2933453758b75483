/**
 * The three client APIs driven through their official SDKs, for the cloud-provider
 * suites (Bedrock, Vertex AI, Entra ID): the same cases as tests/proxy/matrix.test.ts
 * — text whole and streamed with a system prompt, a tool round trip whole and
 * streamed, image input, usage with cache reads, an upstream error and a bad
 * request — each returning what the client saw in one shape.
 */
import { expect } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { PNG_BASE64, PNG_DATA_URL } from '../support/proxy-fixture.js';

export type Api = 'chat' | 'responses' | 'messages';
export const APIS: Api[] = ['chat', 'responses', 'messages'];

export interface SeenUsage {
  input: number;
  output: number;
  cached: number;
}

export interface Driver {
  text(model: string, prompt: string, system: string, stream: boolean): Promise<{ text: string; usage: SeenUsage; stop: string }>;
  /** First turn (a tool call), then the tool's result sent back under the same id. */
  toolRoundTrip(model: string, stream: boolean, result: string): Promise<{ id: string; name: string; args: unknown; stop: string; final: string }>;
  image(model: string): Promise<string>;
  /** The HTTP status and error message the SDK surfaced. */
  failure(model: string, stream: boolean): Promise<{ status: number | undefined; message: string }>;
  naturalStop: string;
  toolStop: string;
}

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const WEATHER_QUESTION = 'What is the weather in Paris?';

async function caught(run: () => Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await run();
  } catch (error) {
    return { status: (error as { status?: number }).status, message: (error as Error).message };
  }
  throw new Error('expected the request to fail');
}

export function drivers(oai: OpenAI, ant: Anthropic): Record<Api, Driver> {
  const chat: Driver = {
    naturalStop: 'stop',
    toolStop: 'tool_calls',
    async text(model, prompt, system, stream) {
      const messages = [
        { role: 'system' as const, content: system },
        { role: 'user' as const, content: prompt },
      ];
      const done = stream
        ? await oai.chat.completions.stream({ model, messages, stream_options: { include_usage: true } }).finalChatCompletion()
        : await oai.chat.completions.create({ model, messages });
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
      const call = (messages: OpenAI.Chat.ChatCompletionMessageParam[]) =>
        stream ? oai.chat.completions.stream({ model, messages, tools }).finalChatCompletion() : oai.chat.completions.create({ model, messages, tools });
      const first = await call([user]);
      const message = first.choices[0].message;
      expect(message.tool_calls).toHaveLength(1);
      const tc = message.tool_calls![0];
      if (tc.type !== 'function') throw new Error('expected a function call');
      const second = await call([
        user,
        { role: 'assistant', content: message.content, tool_calls: [tc] },
        { role: 'tool', tool_call_id: tc.id, content: result },
      ]);
      return {
        id: tc.id,
        name: tc.function.name,
        args: JSON.parse(tc.function.arguments),
        stop: first.choices[0].finish_reason,
        final: second.choices[0].message.content ?? '',
      };
    },
    async image(model) {
      const done = await oai.chat.completions.create({
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            ],
          },
        ],
      });
      return done.choices[0].message.content ?? '';
    },
    failure: (model, stream) =>
      caught(async () => {
        const messages = [{ role: 'user' as const, content: 'fail please' }];
        if (stream) for await (const _ of await oai.chat.completions.create({ model, messages, stream: true })) void _;
        else await oai.chat.completions.create({ model, messages });
      }),
  };

  const responses: Driver = {
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
      const call = (input: OpenAI.Responses.ResponseInputItem[]): Promise<OpenAI.Responses.Response> =>
        stream ? oai.responses.stream({ model, input, tools }).finalResponse() : oai.responses.create({ model, input, tools });
      const first = await call([user]);
      const calls = first.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
      expect(calls).toHaveLength(1);
      const fc = calls[0];
      const second = await call([user, fc, { type: 'function_call_output', call_id: fc.call_id, output: result }]);
      return { id: fc.call_id, name: fc.name, args: JSON.parse(fc.arguments), stop: first.status ?? '', final: second.output_text };
    },
    async image(model) {
      const done = await oai.responses.create({
        model,
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: PNG_DATA_URL, detail: 'auto' },
            ],
          },
        ],
      });
      return done.output_text;
    },
    failure: (model, stream) =>
      caught(async () => {
        if (stream) for await (const _ of await oai.responses.create({ model, input: 'fail please', stream: true })) void _;
        else await oai.responses.create({ model, input: 'fail please' });
      }),
  };

  const messages: Driver = {
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
        usage: { input: u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0), output: u.output_tokens, cached },
      };
    },
    async toolRoundTrip(model, stream, result) {
      const tools = [{ name: 'get_weather', description: 'Current weather', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema }];
      const user = { role: 'user' as const, content: WEATHER_QUESTION };
      const call = (msgs: Anthropic.MessageParam[]) => {
        const body = { model, max_tokens: 256, messages: msgs, tools };
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
        id: use.id,
        name: use.name,
        args: use.input,
        stop: first.stop_reason ?? '',
        final: second.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      };
    },
    async image(model) {
      const done = await ant.messages.create({
        model,
        max_tokens: 256,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
        ],
      });
      return done.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    },
    failure: (model, stream) =>
      caught(async () => {
        const body = { model, max_tokens: 64, messages: [{ role: 'user' as const, content: 'fail please' }] };
        if (stream) await ant.messages.stream(body).finalMessage();
        else await ant.messages.create(body);
      }),
  };

  return { chat, responses, messages };
}
