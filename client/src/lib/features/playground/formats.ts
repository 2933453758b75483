// The three client formats the gateway serves, as the playground speaks them: the request body
// each expects and the stream events each returns, read into one turn result.

import { tr } from '$lib/i18n';

export type ClientFormat = 'chat' | 'responses' | 'messages';
export const CLIENT_FORMATS: readonly ClientFormat[] = ['chat', 'responses', 'messages'];

export interface PlaygroundImage {
  /** data:<mediaType>;base64,<data> */
  dataUrl: string;
  mediaType: string;
  name: string;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text). */
  arguments: string;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  image?: PlaygroundImage;
  toolCalls?: ToolCall[];
}

/** A function tool, whichever of the three shapes the admin pasted. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export interface TurnInput {
  model: string;
  system: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  tools: ToolSpec[];
}

export interface Usage {
  input: number;
  output: number;
}

/** What the events of one answer add up to. */
export interface TurnState {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | null;
  finishReason: string | null;
  error: string | null;
}

export interface FormatSpec {
  path: string;
  headers(key: string): Record<string, string>;
  body(input: TurnInput): Record<string, unknown>;
  /** Applies one server-sent event (its `event:` name and parsed data) to the state; returns the text delta. */
  apply(state: TurnState, event: string | undefined, data: unknown): string;
}

/** Messages requires max_tokens; this is what the playground sends when the field is empty (shown in the raw request). */
export const MESSAGES_DEFAULT_MAX_TOKENS = 1024;

const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' }); // i18n-ignore

function base64Of(image: PlaygroundImage): string {
  return image.dataUrl.slice(image.dataUrl.indexOf(',') + 1);
}

/** Assistant turns are sent back as their text; an answer that was only tool calls has nothing to resend. */
const history = (messages: ChatMessage[]) => messages.filter((m) => m.role === 'user' || m.content);

/** The tool call being assembled at a stream position (chat index, Responses item id, Messages block index). */
function callAt(state: TurnState, slots: Map<string | number, ToolCall>, slot: string | number, start?: Partial<ToolCall>): ToolCall | undefined {
  let call = slots.get(slot);
  if (!call && start) {
    call = { id: start.id ?? '', name: start.name ?? '', arguments: start.arguments ?? '' };
    slots.set(slot, call);
    state.toolCalls.push(call);
  }
  return call;
}

type Json = Record<string, unknown>;

// The parts of each format's stream events the playground reads (everything else is only shown raw).
interface ChatChunk {
  choices?: {
    delta?: { content?: string | null; tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}
interface ResponsesEvent {
  type?: string;
  delta?: string;
  item_id?: string;
  item?: { type?: string; id?: string; call_id?: string; name?: string; arguments?: string };
  response?: { status?: string; usage?: { input_tokens?: number; output_tokens?: number }; error?: { message?: string } };
  error?: { message?: string };
  message?: string;
}
interface MessagesEvent {
  type?: string;
  index?: number;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  content_block?: { type?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { message?: string };
}
const slotsOf = new WeakMap<TurnState, Map<string | number, ToolCall>>();
const slots = (state: TurnState) => {
  let map = slotsOf.get(state);
  if (!map) slotsOf.set(state, (map = new Map<string | number, ToolCall>()));
  return map;
};

const chat: FormatSpec = {
  path: '/v1/chat/completions',
  headers: bearer,
  body(input) {
    const messages: Json[] = input.system ? [{ role: 'system', content: input.system }] : [];
    for (const m of history(input.messages)) {
      messages.push(
        m.image
          ? {
              role: m.role,
              content: [
                { type: 'text', text: m.content },
                { type: 'image_url', image_url: { url: m.image.dataUrl } },
              ],
            }
          : { role: m.role, content: m.content },
      );
    }
    return {
      model: input.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.maxTokens !== undefined ? { max_tokens: input.maxTokens } : {}),
      ...(input.topP !== undefined ? { top_p: input.topP } : {}),
      ...(input.tools.length
        ? { tools: input.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) }
        : {}),
    };
  },
  apply(state, _event, data) {
    const chunk = data as ChatChunk;
    if (chunk.error) state.error = chunk.error.message ?? 'error';
    if (chunk.usage) state.usage = { input: chunk.usage.prompt_tokens ?? 0, output: chunk.usage.completion_tokens ?? 0 };
    const choice = chunk.choices?.[0];
    if (!choice) return '';
    if (choice.finish_reason) state.finishReason = choice.finish_reason;
    for (const part of choice.delta?.tool_calls ?? []) {
      const call = callAt(state, slots(state), part.index ?? 0, { id: part.id, name: part.function?.name });
      if (call) call.arguments += part.function?.arguments ?? '';
    }
    const text = choice.delta?.content ?? '';
    state.text += text;
    return text;
  },
};

const responses: FormatSpec = {
  path: '/v1/responses',
  headers: bearer,
  body(input) {
    return {
      model: input.model,
      ...(input.system ? { instructions: input.system } : {}),
      input: history(input.messages).map((m) =>
        m.role === 'user'
          ? {
              role: 'user',
              content: [{ type: 'input_text', text: m.content }, ...(m.image ? [{ type: 'input_image', image_url: m.image.dataUrl }] : [])],
            }
          : { role: 'assistant', content: [{ type: 'output_text', text: m.content }] },
      ),
      stream: true,
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.maxTokens !== undefined ? { max_output_tokens: input.maxTokens } : {}),
      ...(input.topP !== undefined ? { top_p: input.topP } : {}),
      ...(input.tools.length
        ? { tools: input.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters })) }
        : {}),
    };
  },
  apply(state, event, data) {
    const d = data as ResponsesEvent;
    switch (event ?? d.type ?? '') {
      case 'response.output_text.delta':
        state.text += d.delta ?? '';
        return d.delta ?? '';
      case 'response.output_item.added':
        if (d.item?.type === 'function_call')
          callAt(state, slots(state), d.item.id ?? '', { id: d.item.call_id, name: d.item.name, arguments: d.item.arguments });
        return '';
      case 'response.function_call_arguments.delta': {
        const call = callAt(state, slots(state), d.item_id ?? '');
        if (call) call.arguments += d.delta ?? '';
        return '';
      }
      case 'response.output_item.done': {
        const item = d.item;
        const call = item?.type === 'function_call' ? callAt(state, slots(state), item.id ?? '') : undefined;
        if (call && item?.arguments) call.arguments = item.arguments;
        return '';
      }
      case 'response.completed':
      case 'response.incomplete': {
        const usage = d.response?.usage;
        if (usage) state.usage = { input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0 };
        state.finishReason = d.response?.status ?? null;
        return '';
      }
      case 'response.failed':
        state.error = d.response?.error?.message ?? 'failed';
        return '';
      case 'error':
        state.error = d.error?.message ?? d.message ?? 'error';
        return '';
      default:
        return '';
    }
  },
};

const messages: FormatSpec = {
  path: '/v1/messages',
  headers: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }),
  body(input) {
    return {
      model: input.model,
      max_tokens: input.maxTokens ?? MESSAGES_DEFAULT_MAX_TOKENS,
      ...(input.system ? { system: input.system } : {}),
      messages: history(input.messages).map((m) =>
        m.image
          ? {
              role: m.role,
              content: [
                { type: 'text', text: m.content },
                { type: 'image', source: { type: 'base64', media_type: m.image.mediaType, data: base64Of(m.image) } },
              ],
            }
          : { role: m.role, content: m.content },
      ),
      stream: true,
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.topP !== undefined ? { top_p: input.topP } : {}),
      ...(input.tools.length ? { tools: input.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })) } : {}),
    };
  },
  apply(state, event, data) {
    const d = data as MessagesEvent;
    switch (event ?? d.type ?? '') {
      case 'message_start': {
        const usage = d.message?.usage;
        if (usage) state.usage = { input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0 };
        return '';
      }
      case 'content_block_start':
        if (d.content_block?.type === 'tool_use') callAt(state, slots(state), d.index ?? 0, { id: d.content_block.id, name: d.content_block.name });
        return '';
      case 'content_block_delta': {
        if (d.delta?.type === 'input_json_delta') {
          const call = callAt(state, slots(state), d.index ?? 0);
          if (call) call.arguments += d.delta.partial_json ?? '';
          return '';
        }
        const text = d.delta?.type === 'text_delta' ? (d.delta.text ?? '') : '';
        state.text += text;
        return text;
      }
      case 'message_delta':
        if (d.usage?.output_tokens !== undefined) state.usage = { input: d.usage.input_tokens ?? state.usage?.input ?? 0, output: d.usage.output_tokens };
        if (d.delta?.stop_reason) state.finishReason = d.delta.stop_reason;
        return '';
      case 'error':
        state.error = d.error?.message ?? 'error';
        return '';
      default:
        return '';
    }
  },
};

export const FORMATS: Record<ClientFormat, FormatSpec> = { chat, responses, messages };

/**
 * Function tools from the JSON the admin pasted: an array of OpenAI chat tools
 * ({type: "function", function: {…}}), Responses tools ({type: "function", name, …}) or Anthropic tools
 * ({name, input_schema}). Throws an Error naming what is wrong.
 */
export function parseTools(text: string): ToolSpec[] {
  if (!text.trim()) return [];
  const raw = JSON.parse(text) as unknown;
  if (!Array.isArray(raw)) throw new Error(tr('playground.toolsNotArray'));
  const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  return raw.map((item: unknown, i): ToolSpec => {
    const fn = isObject(item) && isObject(item.function) ? item.function : item;
    if (!isObject(fn) || typeof fn.name !== 'string' || !fn.name) throw new Error(tr('playground.toolNoName', { n: i + 1 }));
    const schema = fn.parameters ?? fn.input_schema;
    const parameters = isObject(schema) ? schema : { type: 'object', properties: {} };
    return { name: fn.name, ...(typeof fn.description === 'string' ? { description: fn.description } : {}), parameters };
  });
}
