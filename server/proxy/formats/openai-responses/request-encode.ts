import type { CanonicalRequest, ContentPart, Message, ToolDefinition } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { imageUrl } from '../openai-chat/request-encode.js';
import { openAIUserId } from '../shared/tool-names.js';
import { warn, warnUnmapped } from '../shared/warnings.js';
import { encodeFormat, encodeToolChoice } from './response-encode.js';

const WIRE = 'openai-responses';

/**
 * Canonical request → Responses body, for upstreams that speak Responses.
 * Leading system / developer messages become `instructions`; later ones become
 * developer items. Tool calls become function_call or custom_tool_call items
 * (with their namespace), tool results the matching outputs, reasoning with
 * OpenAI's encrypted state a reasoning item; opaque Responses items and tools are
 * re-sent verbatim. Chat-only knobs (stop, seed, penalties) have no Responses
 * field and are reported dropped rather than failing the request.
 */
export function encodeResponsesRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const body: Record<string, unknown> = { model: target.upstreamModel };
  let start = 0;
  const leading: string[] = [];
  // A Responses client's own `instructions` is its first message; its developer items stay items.
  const limit = request.instructions !== undefined ? 1 : request.messages.length;
  while (start < limit && isSystem(request.messages[start])) leading.push(textOf(request.messages[start++].content));
  if (leading.length > 0) body.instructions = leading.join('\n\n');
  // A result answers a custom call with custom_tool_call_output, whichever client format said so.
  const customCalls = new Set(request.messages.flatMap((m) => m.content).flatMap((p) => (p.type === 'tool_call' && p.kind === 'custom' ? [p.id] : [])));
  body.input = request.messages.slice(start).flatMap((m) => encodeMessage(m, target, customCalls));

  const tools = encodeTools(request.tools, target);
  if (tools.length) body.tools = tools;
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice, request.tools);
  if (request.parallelToolCalls !== undefined && tools.length) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat || request.verbosity) {
    body.text = {
      ...(request.responseFormat && { format: encodeFormat(request.responseFormat) }),
      ...(request.verbosity && { verbosity: request.verbosity }),
    };
  }
  if (request.reasoning?.effort || request.reasoning?.summary) {
    body.reasoning = {
      ...(request.reasoning.effort && { effort: request.reasoning.effort }),
      ...(request.reasoning.summary && { summary: request.reasoning.summary }),
    };
  }
  put(body, 'max_output_tokens', request.maxTokens);
  put(body, 'temperature', request.temperature);
  put(body, 'top_p', request.topP);
  put(body, 'metadata', request.metadata);
  put(body, 'store', request.store);
  put(body, 'user', openAIUserId(request.user));
  put(body, 'prompt_cache_key', request.promptCacheKey);
  put(body, 'service_tier', request.serviceTier);
  if (request.stream) body.stream = true;
  for (const [field, value] of [
    ['stop', request.stop?.length],
    ['seed', request.seed],
    ['presence_penalty', request.presencePenalty],
    ['frequency_penalty', request.frequencyPenalty],
    ['top_k', request.topK],
  ] as const) {
    if (value !== undefined && value !== 0) warn(target, `field ${field} dropped`);
  }
  warnUnmapped(request, target);
  return body;
}

function put(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

/** Functions and custom tools (grouped back into their namespaces), web search, and Responses tools kept verbatim. */
function encodeTools(tools: ToolDefinition[] | undefined, target: UpstreamTarget): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const namespaces = new Map<string, Array<Record<string, unknown>>>();
  // defer_loading only means something next to a tool_search tool; without one every tool is loaded.
  const searchable = (tools ?? []).some((t) => t.type === 'opaque' && t.format === WIRE && t.toolType === 'tool_search');
  const defer = (value: boolean | undefined) => (searchable && value !== undefined ? { defer_loading: value } : {});
  for (const tool of tools ?? []) {
    let entry: Record<string, unknown>;
    switch (tool.type) {
      case undefined:
      case 'function':
        entry = {
          type: 'function',
          name: tool.name,
          ...(tool.description !== undefined && { description: tool.description }),
          parameters: tool.parameters,
          // Responses defaults `strict` to true, which rejects ordinary schemas; keep Chat semantics.
          strict: tool.strict ?? false,
          ...defer(tool.deferLoading),
        };
        break;
      case 'custom':
        entry = {
          type: 'custom',
          name: tool.name,
          ...(tool.description !== undefined && { description: tool.description }),
          ...(tool.format !== undefined && { format: tool.format }),
          ...defer(tool.deferLoading),
        };
        break;
      case 'web_search': {
        if (tool.raw.format === WIRE) entry = tool.raw.value;
        else {
          entry = { type: 'web_search' };
          if (tool.allowedDomains?.length) entry.filters = { allowed_domains: tool.allowedDomains };
          if (tool.userLocation && tool.raw.format === 'anthropic-messages') entry.user_location = tool.userLocation;
          if (tool.blockedDomains?.length) warn(target, 'web_search blocked_domains dropped');
        }
        out.push(entry);
        continue;
      }
      case 'opaque':
        if (tool.format === WIRE) out.push(tool.raw);
        else warn(target, `tool ${tool.toolType} dropped`);
        continue;
      default: {
        const _exhaustive: never = tool;
        continue;
      }
    }
    if (tool.namespace === undefined) {
      out.push(entry);
      continue;
    }
    let group = namespaces.get(tool.namespace);
    if (!group) {
      group = [];
      namespaces.set(tool.namespace, group);
      out.push({ type: 'namespace', name: tool.namespace, description: `Tools in the ${tool.namespace} namespace.`, tools: group });
    }
    group.push(entry);
  }
  return out;
}

const isSystem = (m: Message): boolean => m.role === 'system' || m.role === 'developer';

function textOf(parts: ContentPart[]): string {
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function inputParts(parts: ContentPart[], target: UpstreamTarget): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const p of parts) {
    if (p.type === 'text') out.push({ type: 'input_text', text: p.text });
    else if (p.type === 'image') out.push({ type: 'input_image', image_url: imageUrl(p), detail: p.detail ?? 'auto' });
    else if (p.type === 'opaque') {
      if (p.format === WIRE && p.inContent) out.push(p.raw);
      else warn(target, `content ${p.itemType} dropped`);
    }
  }
  return out;
}

/** One canonical message → Responses items, in the order of its parts. */
function encodeMessage(message: Message, target: UpstreamTarget, customCalls: Set<string>): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  const assistant = message.role === 'assistant';
  let pending: ContentPart[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    if (assistant) {
      const text = textOf(pending);
      if (text) items.push({ type: 'message', role: 'assistant', content: text });
    } else {
      const content = inputParts(pending, target);
      if (content.length > 0) items.push({ type: 'message', role: message.role === 'system' ? 'developer' : message.role, content });
    }
    pending = [];
  };
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
      case 'image':
        pending.push(part);
        break;
      case 'opaque':
        if (part.inContent) {
          pending.push(part);
          break;
        }
        flush();
        if (part.format === WIRE) items.push(part.raw);
        else warn(target, `item ${part.itemType} dropped`);
        break;
      case 'tool_result': {
        flush();
        const rich = part.content.some((p) => p.type !== 'text');
        const output = rich ? inputParts(part.content, target) : textOf(part.content);
        const custom = part.kind === 'custom' || customCalls.has(part.toolCallId);
        items.push({ type: custom ? 'custom_tool_call_output' : 'function_call_output', call_id: part.toolCallId, output });
        break;
      }
      case 'tool_call':
        flush();
        items.push(
          part.kind === 'custom'
            ? {
                type: 'custom_tool_call',
                call_id: part.id,
                name: part.name,
                input: part.arguments,
                ...(part.namespace !== undefined && { namespace: part.namespace }),
              }
            : {
                type: 'function_call',
                call_id: part.id,
                name: part.name,
                arguments: part.arguments,
                ...(part.namespace !== undefined && { namespace: part.namespace }),
              },
        );
        break;
      case 'reasoning':
        // Responses accepts back only reasoning it issued itself, identified by its encrypted state.
        if (part.encryptedContent !== undefined) {
          flush();
          items.push({
            type: 'reasoning',
            ...(part.itemId !== undefined && { id: part.itemId }),
            summary: part.text ? [{ type: 'summary_text', text: part.text }] : [],
            encrypted_content: part.encryptedContent,
          });
        }
        break;
      default: {
        const _exhaustive: never = part;
      }
    }
  }
  flush();
  return items;
}
