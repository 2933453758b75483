import type { CanonicalRequest, ImagePart, Message, ReasoningEffort, WebSearchTool } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { parseArguments } from '../shared/json.js';
import { planTools, wireToolCall } from '../shared/tool-plan.js';
import { wireToolName } from '../shared/tool-names.js';
import { openAIOnlyFields, seedAndPenalties, warn, warnDropped, warnUnmapped } from '../shared/warnings.js';
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

const WIRE = 'anthropic-messages';

/** OpenAI service tiers → Anthropic's (`auto`, `standard_only`); flex / priority / scale have no counterpart. */
const SERVICE_TIERS: Record<string, string> = { auto: 'auto', default: 'standard_only' };

/** One canonical message → Anthropic blocks. Empty text is dropped (Anthropic rejects it). */
function toBlocks(message: Message, target: UpstreamTarget): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') blocks.push(textBlock(part.text, part.cacheControl));
        break;
      case 'image':
        blocks.push(imageBlock(part));
        break;
      case 'tool_call': {
        const call = wireToolCall(part);
        blocks.push({ type: 'tool_use', id: part.id, name: call.name, input: parseArguments(call.arguments) });
        break;
      }
      case 'tool_result': {
        const content: AnthropicContentBlock[] = [];
        for (const c of part.content) {
          if (c.type === 'text') {
            if (c.text !== '') content.push(textBlock(c.text, c.cacheControl));
          } else if (c.type === 'image') content.push(imageBlock(c));
          else if (c.format === WIRE) content.push(c.raw as unknown as AnthropicContentBlock);
          else warn(target, `content ${c.itemType} dropped`);
        }
        blocks.push({
          type: 'tool_result',
          tool_use_id: part.toolCallId,
          ...(content.length ? { content: content as Array<AnthropicTextBlock | AnthropicImageBlock> } : {}),
          ...(part.isError ? { is_error: true } : {}),
          ...(part.cacheControl !== undefined ? { cache_control: part.cacheControl } : {}),
        });
        break;
      }
      case 'reasoning':
        // Only Anthropic's own signed thinking goes back, byte for byte; unsigned text from other providers is dropped.
        if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
        else if (part.signature) blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
        break;
      case 'opaque':
        if (part.format === WIRE) blocks.push(part.raw as unknown as AnthropicContentBlock);
        else warn(target, `${part.inContent ? 'content' : 'item'} ${part.itemType} dropped`);
        break;
      default: {
        const _exhaustive: never = part;
      }
    }
  }
  return blocks;
}

/**
 * Canonical messages → alternating Anthropic turns. Tool messages join the user turn
 * (tool results first, as Anthropic requires them right after the tool_use turn);
 * consecutive messages of one side are merged.
 */
export function encodeMessages(messages: Message[], target: UpstreamTarget): { system: AnthropicTextBlock[]; messages: AnthropicMessageParam[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; results: AnthropicContentBlock[]; other: AnthropicContentBlock[] }> = [];
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') {
      for (const part of message.content) if (part.type === 'text' && part.text !== '') system.push(textBlock(part.text, part.cacheControl));
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = toBlocks(message, target);
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

/** The thinking budget asked for, in tokens (an effort by EFFORT_TO_BUDGET); 0 for none. */
export function thinkingBudget(request: CanonicalRequest): number {
  const reasoning = request.reasoning;
  if (!reasoning || reasoning.disabled) return 0;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  if (reasoning.effort !== undefined) return EFFORT_TO_BUDGET[reasoning.effort] ?? 0;
  return 0;
}

/** Canonical request → Anthropic Messages body for `target.upstreamModel`. */
export function encodeAnthropicRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const { system, messages } = encodeMessages(request.messages, target);
  // Without a client or model limit, thinking gets its budget on top of room for the answer.
  const wanted = thinkingBudget(request);
  const fallback = wanted > 0 ? Math.max(wanted, MIN_THINKING_BUDGET) + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS;
  const maxTokens = request.maxTokens ?? target.maxOutputTokens ?? fallback;
  const body: Record<string, unknown> = { model: target.upstreamModel, max_tokens: maxTokens, messages };
  if (system.length) body.system = system;

  const plan = planTools(request.tools, WIRE, target);
  // defer_loading only means something next to a tool search tool; without one every tool is loaded.
  const toolSearch = plan.opaque.some((t) => t.toolType.startsWith('tool_search_tool'));
  const tools: Array<Record<string, unknown>> = plan.functions.map((tool) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    input_schema: tool.parameters.type ? tool.parameters : { type: 'object', ...tool.parameters },
    ...(tool.cacheControl !== undefined ? { cache_control: tool.cacheControl } : {}),
    ...(toolSearch && tool.deferLoading !== undefined ? { defer_loading: tool.deferLoading } : {}),
  }));
  if (plan.webSearch) tools.push(webSearchTool(plan.webSearch));
  tools.push(...plan.opaque.map((tool) => tool.raw));
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
      toolChoice = { type: 'tool', name: wireToolName(request.toolChoice.name) };
      break;
    case undefined:
      // No choice asked for: Anthropic's default (auto) applies.
      break;
    default: {
      const _exhaustive: never = request.toolChoice;
    }
  }

  // A JSON schema is Anthropic's structured output (output_config.format); a schema-less JSON
  // answer rides on a forced tool whose input is the answer, which decoders turn back into text.
  let forcedJson = false;
  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    body.output_config = { format: { type: 'json_schema', schema: format.schema } };
  } else if (format?.type === 'json_object') {
    if (tools.length) warn(target, 'response_format json_object dropped (tools present)');
    else {
      tools.push({ name: JSON_RESPONSE_TOOL, description: 'Give the final answer as a JSON object.', input_schema: { type: 'object' } });
      toolChoice = { type: 'tool', name: JSON_RESPONSE_TOOL };
      forcedJson = true;
    }
  }
  if (tools.length) {
    body.tools = tools;
    if (request.parallelToolCalls === false && toolChoice?.type !== 'none') {
      toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    }
    if (toolChoice) body.tool_choice = toolChoice;
  }

  // Thinking: budget must be ≥ 1024 and < max_tokens; forced tool use does not allow it.
  const forcedTool = forcedJson || (tools.length > 0 && (toolChoice?.type === 'any' || toolChoice?.type === 'tool'));
  let budget = forcedTool ? 0 : thinkingBudget(request);
  if (forcedTool && !forcedJson && thinkingBudget(request) > 0) warn(target, 'thinking dropped (forced tool choice)');
  // With thinking on, Anthropic wants the last assistant turn of a tool loop to start with its
  // signed thinking; a history from another provider has none to give, so the turn runs without.
  if (budget > 0 && lacksSignedThinking(messages)) {
    budget = 0;
    warn(target, 'thinking dropped (tool history without signed thinking)');
  }
  if (budget > 0) budget = Math.min(Math.max(budget, MIN_THINKING_BUDGET), maxTokens - 1);
  const thinking = budget >= MIN_THINKING_BUDGET;
  if (thinking) body.thinking = { type: 'enabled', budget_tokens: budget };

  // Anthropic's temperature range is 0..1; with thinking it accepts only 1, no top_k and top_p ≥ 0.95.
  if (request.temperature !== undefined && (!thinking || request.temperature === 1)) body.temperature = Math.min(request.temperature, 1);
  if (request.topP !== undefined && (!thinking || request.topP >= 0.95)) body.top_p = request.topP;
  if (request.topK !== undefined && !thinking) body.top_k = request.topK;
  if (request.stop?.length) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.serviceTier !== undefined) {
    if (SERVICE_TIERS[request.serviceTier]) body.service_tier = SERVICE_TIERS[request.serviceTier];
    else warn(target, `field service_tier=${request.serviceTier} dropped`);
  }
  // service_tier and user are mapped above.
  const { prompt_cache_key, verbosity } = openAIOnlyFields(request);
  warnDropped(target, { prompt_cache_key, verbosity, ...seedAndPenalties(request) });
  warnUnmapped(request, target);
  if (request.stream) body.stream = true;
  return body;
}

/** True when the last assistant turn calls tools but does not open with a thinking block. */
function lacksSignedThinking(messages: AnthropicMessageParam[]): boolean {
  const last = [...messages].reverse().find((m) => m.role === 'assistant');
  if (!last || !last.content.some((b) => b.type === 'tool_use')) return false;
  const first = last.content[0]?.type;
  return first !== 'thinking' && first !== 'redacted_thinking';
}

/** Hosted web search as Anthropic's server tool (the client's own definition when it was Anthropic's). */
function webSearchTool(tool: WebSearchTool): Record<string, unknown> {
  if (tool.raw.format === WIRE) return tool.raw.value;
  return {
    type: 'web_search_20250305',
    name: 'web_search',
    ...(tool.maxUses !== undefined && { max_uses: tool.maxUses }),
    ...(tool.allowedDomains?.length && { allowed_domains: tool.allowedDomains }),
    ...(!tool.allowedDomains?.length && tool.blockedDomains?.length && { blocked_domains: tool.blockedDomains }),
    ...(tool.userLocation && { user_location: tool.userLocation }),
  };
}
