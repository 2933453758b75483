import { invalidRequest } from '../../canonical/index.js';
import type { CanonicalRequest, ImagePart, Message, ReasoningEffort, UpstreamTarget } from '../../canonical/index.js';
import { parseArguments } from '../shared/json.js';
import { JSON_RESPONSE_TOOL } from './types.js';
import type { AnthropicContentBlock, AnthropicImageBlock, AnthropicMessageParam, AnthropicTextBlock } from './types.js';

/** Anthropic requires max_tokens; used when neither the client nor the target model gives one. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Anthropic's smallest accepted thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/** OpenAI-style effort → Anthropic thinking budget (tokens). `none` means no thinking. */
export const EFFORT_TO_BUDGET: Record<ReasoningEffort, number> = {
  none: 0,
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

export function imageBlock(part: ImagePart): AnthropicImageBlock {
  if (part.source.kind === 'base64') {
    return { type: 'image', source: { type: 'base64', media_type: part.source.mediaType, data: part.source.data } };
  }
  // data: URLs (OpenAI clients) must become base64 sources; Anthropic fetches only http(s).
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.source.url);
  if (match) return { type: 'image', source: { type: 'base64', media_type: match[1], data: match[2] } };
  return { type: 'image', source: { type: 'url', url: part.source.url } };
}

function textBlock(text: string, cacheControl: unknown): AnthropicTextBlock {
  const block: AnthropicTextBlock = { type: 'text', text };
  if (cacheControl !== undefined) block.cache_control = cacheControl;
  return block;
}

/** One canonical message → Anthropic blocks. Empty text is dropped (Anthropic rejects it). */
function toBlocks(message: Message): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push(textBlock(part.text, part.cacheControl));
        break;
      case 'image':
        blocks.push(imageBlock(part));
        break;
      case 'tool_call':
        blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: parseArguments(part.arguments) });
        break;
      case 'tool_result': {
        const content = part.content
          .filter((c) => c.type !== 'text' || c.text !== '')
          .map((c) => (c.type === 'text' ? textBlock(c.text, c.cacheControl) : imageBlock(c)));
        blocks.push({
          type: 'tool_result',
          tool_use_id: part.toolCallId,
          ...(content.length ? { content } : {}),
          ...(part.isError ? { is_error: true } : {}),
        });
        break;
      }
      case 'reasoning':
        // Only signed thinking can go back to Anthropic; unsigned text from other providers is dropped.
        if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
        else if (part.signature) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
        break;
    }
  }
  return blocks;
}

/**
 * Canonical messages → alternating Anthropic turns. Tool messages join the user turn
 * (tool results first, as Anthropic requires them right after the tool_use turn);
 * consecutive messages of one side are merged.
 */
export function encodeMessages(messages: Message[]): { system: AnthropicTextBlock[]; messages: AnthropicMessageParam[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; results: AnthropicContentBlock[]; other: AnthropicContentBlock[] }> = [];
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') {
      for (const part of message.content) if (part.type === 'text' && part.text !== '') system.push(textBlock(part.text, part.cacheControl));
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = toBlocks(message);
    if (blocks.length === 0) continue;
    let turn = turns[turns.length - 1];
    if (!turn || turn.role !== role) {
      turn = { role, results: [], other: [] };
      turns.push(turn);
    }
    for (const block of blocks) (block.type === 'tool_result' ? turn.results : turn.other).push(block);
  }
  return { system, messages: turns.map((t) => ({ role: t.role, content: [...t.results, ...t.other] })) };
}

function thinkingBudget(request: CanonicalRequest): number {
  const reasoning = request.reasoning;
  if (!reasoning || reasoning.disabled) return 0;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  if (reasoning.effort !== undefined) return EFFORT_TO_BUDGET[reasoning.effort] ?? 0;
  return 0;
}

/** Canonical request → Anthropic Messages body for `target.upstreamModel`. */
export function encodeAnthropicRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const { system, messages } = encodeMessages(request.messages);
  const maxTokens = request.maxTokens ?? target.maxOutputTokens ?? DEFAULT_MAX_TOKENS;
  const body: Record<string, unknown> = { model: target.upstreamModel, max_tokens: maxTokens, messages };
  if (system.length) body.system = system;

  const tools: Array<Record<string, unknown>> = (request.tools ?? []).map((tool) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    input_schema: tool.parameters.type ? tool.parameters : { type: 'object', ...tool.parameters },
    ...(tool.cacheControl !== undefined ? { cache_control: tool.cacheControl } : {}),
  }));
  let toolChoice: Record<string, unknown> | undefined;
  switch (request.toolChoice?.type) {
    case 'auto':
      toolChoice = { type: 'auto' };
      break;
    case 'required':
      toolChoice = { type: 'any' };
      break;
    case 'none':
      toolChoice = { type: 'none' };
      break;
    case 'tool':
      toolChoice = { type: 'tool', name: request.toolChoice.name };
      break;
  }

  // JSON response formats ride on a forced tool whose input is the answer; decoders turn it back into text.
  let forcedJson = false;
  const format = request.responseFormat;
  if (format && format.type !== 'text') {
    if (tools.length) throw invalidRequest('response_format: a JSON response format cannot be combined with tools on this model', 'response_format');
    const schema = format.type === 'json_schema' ? format.schema : { type: 'object' };
    if (schema.type !== undefined && schema.type !== 'object') {
      throw invalidRequest('response_format: the JSON schema must describe an object on this model', 'response_format');
    }
    tools.push({
      name: JSON_RESPONSE_TOOL,
      description: (format.type === 'json_schema' && format.description) || 'Give the final answer as JSON matching this schema.',
      input_schema: { type: 'object', ...schema },
    });
    toolChoice = { type: 'tool', name: JSON_RESPONSE_TOOL };
    forcedJson = true;
  }
  if (tools.length) {
    body.tools = tools;
    if (request.parallelToolCalls === false && toolChoice?.type !== 'none') {
      toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    }
    if (toolChoice) body.tool_choice = toolChoice;
  }

  // Thinking: budget must be ≥ 1024 and < max_tokens; forced tool use does not allow it.
  let budget = forcedJson ? 0 : thinkingBudget(request);
  if (budget > 0) budget = Math.min(Math.max(budget, MIN_THINKING_BUDGET), maxTokens - 1);
  const thinking = budget >= MIN_THINKING_BUDGET;
  if (thinking) body.thinking = { type: 'enabled', budget_tokens: budget };

  // Anthropic's temperature range is 0..1; with thinking it accepts only 1, no top_k and top_p ≥ 0.95.
  if (request.temperature !== undefined && (!thinking || request.temperature === 1)) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined && (!thinking || request.topP >= 0.95)) body.top_p = request.topP;
  if (request.topK !== undefined && !thinking) body.top_k = request.topK;
  if (request.stop?.length) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return body;
}
