import type { CanonicalRequest, ContentPart, ImagePart, Message, OpaquePart, ResponseFormat, TextPart, ToolChoice } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { planTools, wireToolCall } from '../shared/tool-plan.js';
import { openAIUserId, wireToolName } from '../shared/tool-names.js';
import { warn, warnUnmapped } from '../shared/warnings.js';

const WIRE = 'openai-chat';

/**
 * Canonical request → Chat Completions body. Only fields the client set are
 * written; the one field the gateway adds is `stream_options.include_usage`
 * on streams, because usage is needed for accounting whatever the client asked.
 */
export function encodeChatRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const body: Record<string, unknown> = { model: target.upstreamModel, messages: encodeMessages(request.messages, target) };
  const plan = planTools(request.tools, WIRE, target);
  const tools: unknown[] = plan.functions.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.parameters,
      ...(tool.strict !== undefined && { strict: tool.strict }),
    },
  }));
  tools.push(...plan.opaque.map((tool) => tool.raw));
  // Chat Completions has web search only on dedicated search models (web_search_options), not as a tool.
  if (plan.webSearch) warn(target, 'tool web_search dropped');
  if (tools.length) body.tools = tools;
  if (request.toolChoice && (tools.length || request.toolChoice.type === 'none')) body.tool_choice = encodeToolChoice(request.toolChoice);
  put(body, 'parallel_tool_calls', tools.length ? request.parallelToolCalls : undefined);
  if (request.responseFormat) body.response_format = encodeResponseFormat(request.responseFormat);
  put(body, target.maxTokensField ?? 'max_tokens', request.maxTokens);
  put(body, 'temperature', request.temperature);
  put(body, 'top_p', request.topP);
  put(body, 'stop', request.stop?.length ? request.stop : undefined);
  put(body, 'seed', request.seed);
  put(body, 'presence_penalty', request.presencePenalty);
  put(body, 'frequency_penalty', request.frequencyPenalty);
  put(body, 'reasoning_effort', request.reasoning?.effort);
  if (request.reasoning?.summary) warn(target, 'field reasoning.summary dropped');
  put(body, 'user', openAIUserId(request.user));
  put(body, 'prompt_cache_key', request.promptCacheKey);
  put(body, 'verbosity', request.verbosity);
  put(body, 'service_tier', request.serviceTier);
  if (request.topK !== undefined) warn(target, 'field top_k dropped');
  warnUnmapped(request, target);
  // OpenAI only keeps metadata for stored completions; sending it otherwise is an error on some compatible APIs.
  if (request.store === true) {
    body.store = true;
    put(body, 'metadata', request.metadata);
  }
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function put(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

export function encodeToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: wireToolName(choice.name) } } : choice.type;
}

function encodeResponseFormat(format: ResponseFormat): unknown {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      ...(format.description !== undefined && { description: format.description }),
      schema: format.schema,
      ...(format.strict !== undefined && { strict: format.strict }),
    },
  };
}

export function imageUrl(part: ImagePart): string {
  return part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
}

function textOf(parts: ContentPart[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** A single text part travels as a plain string, the shape every compatible API accepts. */
function encodeContent(parts: Array<TextPart | ImagePart | OpaquePart>): unknown {
  if (parts.every((p) => p.type === 'text')) return textOf(parts);
  return parts.map((p) =>
    p.type === 'text'
      ? { type: 'text', text: p.text }
      : p.type === 'opaque'
        ? p.raw
        : { type: 'image_url', image_url: { url: imageUrl(p), ...(p.detail !== undefined && { detail: p.detail }) } },
  );
}

/** Opaque parts of another format cannot be carried: each is reported and left out. */
function keepOwn(part: ContentPart, target: UpstreamTarget): boolean {
  if (part.type !== 'opaque') return true;
  if (part.format === WIRE && part.inContent) return true;
  warn(target, `${part.inContent ? 'content' : 'item'} ${part.itemType} dropped`);
  return false;
}

/** Tool results become one `tool` message each (wherever they sat), ahead of the rest of their turn. */
function encodeMessages(messages: Message[], target: UpstreamTarget): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const message of messages) {
    const name = message.name !== undefined ? { name: message.name } : {};
    for (const part of message.content) {
      if (part.type !== 'tool_result') continue;
      const text = part.content
        .filter((p) => keepOwn(p, target))
        .map((p) => (p.type === 'text' ? p.text : p.type === 'image' ? `[image: ${imageUrl(p)}]` : JSON.stringify(p.raw)))
        .join('\n');
      out.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.isError && !text ? 'error' : text });
    }
    if (message.role === 'tool') {
      for (const part of message.content) if (part.type !== 'tool_result') keepOwn(part, target);
      continue;
    }
    if (message.role === 'assistant') {
      const calls = message.content.filter((p) => p.type === 'tool_call');
      for (const part of message.content) if (part.type === 'opaque') keepOwn({ ...part, inContent: false }, target);
      const text = textOf(message.content);
      if (!text && calls.length === 0) continue;
      out.push({
        role: 'assistant',
        content: text || null,
        ...name,
        ...(calls.length > 0 && {
          tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: wireToolCall(c) })),
        }),
      });
      continue;
    }
    const parts = message.content.filter(
      (p): p is TextPart | ImagePart | OpaquePart => (p.type === 'text' || p.type === 'image' || p.type === 'opaque') && keepOwn(p, target),
    );
    if (parts.length === 0) continue;
    out.push({ role: message.role, content: encodeContent(parts), ...name });
  }
  return out;
}
