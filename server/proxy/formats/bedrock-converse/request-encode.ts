import { invalidRequest } from '../../../core/index.js';
import type { CanonicalRequest, ContentPart, ImagePart, Message, ToolResultPart } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { thinkingBudget } from '../anthropic-messages/request-encode.js';
import { parseArguments } from '../shared/json.js';
import { planTools, wireToolCall } from '../shared/tool-plan.js';
import { wireToolName } from '../shared/tool-names.js';
import { openAIOnlyFields, seedAndPenalties, warn, warnDropped, warnUnmapped } from '../shared/warnings.js';
import { imageFormatOf } from './mapping.js';
import type { BedrockCachePoint, BedrockContentBlock, BedrockImage, BedrockMessage, BedrockToolResultContent } from './types.js';

const WIRE = 'bedrock-converse';
const CACHE_POINT: BedrockCachePoint = { cachePoint: { type: 'default' } };

/** Anthropic models on Bedrock take their own extra fields (thinking, top_k) in additionalModelRequestFields. */
const isAnthropicModel = (model: string): boolean => /(^|[.:/])anthropic\.|claude/i.test(model);

/**
 * Converse takes images as bytes only (or S3 locations); a URL the gateway would
 * have to fetch is refused rather than silently dropped.
 */
function imageBlock(part: ImagePart, field: string): BedrockImage {
  let mediaType: string;
  let data: string;
  if (part.source.kind === 'base64') {
    mediaType = part.source.mediaType;
    data = part.source.data;
  } else {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.source.url);
    if (!match) throw invalidRequest(`${field}: Amazon Bedrock takes images as base64 data, not URLs`, field);
    mediaType = match[1];
    data = match[2];
  }
  const format = imageFormatOf(mediaType);
  if (!format) throw invalidRequest(`${field}: Amazon Bedrock does not accept images of type ${mediaType}`, field);
  return { image: { format, source: { bytes: data } } };
}

function toolResultBlock(part: ToolResultPart, field: string, target: UpstreamTarget): BedrockContentBlock {
  const content: BedrockToolResultContent[] = [];
  for (const c of part.content) {
    if (c.type === 'text') {
      if (c.text !== '') content.push({ text: c.text });
    } else if (c.type === 'image') content.push(imageBlock(c, field));
    else warn(target, `content ${c.itemType} dropped`);
  }
  // Converse refuses an empty result list.
  if (content.length === 0) content.push({ json: {} });
  return { toolResult: { toolUseId: part.toolCallId, content, ...(part.isError ? { status: 'error' as const } : {}) } };
}

/** One canonical part → Converse blocks (a cache breakpoint follows a part that asked for one). */
function blocksOf(part: ContentPart, field: string, target: UpstreamTarget): BedrockContentBlock[] {
  switch (part.type) {
    case 'text':
      // Converse refuses blank text blocks.
      if (part.text === '') return part.cacheControl !== undefined ? [CACHE_POINT] : [];
      return part.cacheControl !== undefined ? [{ text: part.text }, CACHE_POINT] : [{ text: part.text }];
    case 'image':
      return [imageBlock(part, field)];
    case 'tool_call': {
      const wire = wireToolCall(part);
      return [{ toolUse: { toolUseId: part.id, name: wire.name, input: parseArguments(wire.arguments) } }];
    }
    case 'tool_result': {
      const block = toolResultBlock(part, field, target);
      return part.cacheControl !== undefined ? [block, CACHE_POINT] : [block];
    }
    case 'reasoning':
      // Only signed (or redacted) reasoning can go back; unsigned text from other providers is dropped.
      if (part.redactedData !== undefined) return [{ reasoningContent: { redactedContent: part.redactedData } }];
      if (part.signature) return [{ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } }];
      return [];
    case 'opaque':
      if (part.format === WIRE && part.inContent) return [part.raw];
      warn(target, `${part.inContent ? 'content' : 'item'} ${part.itemType} dropped`);
      return [];
    default: {
      const _exhaustive: never = part;
      return _exhaustive;
    }
  }
}

/** System text apart; the rest as alternating user / assistant turns (tool results are user content). */
function encodeMessages(messages: Message[], target: UpstreamTarget): { system: BedrockContentBlock[]; turns: BedrockMessage[] } {
  const system: BedrockContentBlock[] = [];
  const turns: BedrockMessage[] = [];
  messages.forEach((message, i) => {
    const field = `messages[${i}].content`;
    if (message.role === 'system' || message.role === 'developer') {
      for (const part of message.content) if (part.type === 'text') system.push(...blocksOf(part, field, target));
      return;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const content = message.content.flatMap((part) => blocksOf(part, field, target));
    if (content.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else turns.push({ role, content });
  });
  // Tool results must lead their user turn, before any text that came with them.
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    const results = turn.content.filter((b) => 'toolResult' in b);
    if (results.length && results.length < turn.content.length) turn.content = [...results, ...turn.content.filter((b) => !('toolResult' in b))];
  }
  return { system, turns };
}

/** The names of the tools the assistant called in the history. */
function toolNamesUsed(turns: BedrockMessage[]): Set<string> {
  const names = new Set<string>();
  for (const turn of turns) {
    for (const block of turn.content) {
      const use = (block as { toolUse?: { name?: unknown } }).toolUse;
      if (typeof use?.name === 'string') names.add(use.name);
    }
  }
  return names;
}

/** Canonical request → Converse body (the model id goes in the URL, not the body). */
export function encodeBedrockRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const { system, turns } = encodeMessages(request.messages, target);
  const body: Record<string, unknown> = { messages: turns };
  if (system.length) body.system = system;

  const plan = planTools(request.tools, WIRE, target);
  const tools: BedrockContentBlock[] = [];
  for (const tool of plan.functions) {
    tools.push({
      toolSpec: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: { json: tool.parameters },
      },
    });
    if (tool.cacheControl !== undefined) tools.push(CACHE_POINT);
  }
  for (const tool of plan.opaque) tools.push(tool.raw);
  if (plan.webSearch) warn(target, 'tool web_search dropped');
  // Converse refuses tool blocks in the history without a toolConfig; a follow-up that no
  // longer offers tools still has them, so the tools it used are declared (any input).
  if (tools.length === 0) {
    for (const name of toolNamesUsed(turns)) tools.push({ toolSpec: { name, inputSchema: { json: { type: 'object' } } } });
  }
  // Converse wants the tool list whenever the history holds tool blocks.
  if (tools.length) {
    const toolConfig: Record<string, unknown> = { tools };
    const choice = request.toolChoice;
    if (choice?.type === 'required') toolConfig.toolChoice = { any: {} };
    else if (choice?.type === 'tool') toolConfig.toolChoice = { tool: { name: wireToolName(choice.name) } };
    else if (choice?.type === 'auto') toolConfig.toolChoice = { auto: {} };
    else if (choice?.type === 'none') warn(target, 'tool_choice none dropped');
    body.toolConfig = toolConfig;
    if (request.parallelToolCalls === false) warn(target, 'field parallel_tool_calls dropped');
  }

  const config: Record<string, unknown> = {};
  const maxTokens = request.maxTokens ?? target.maxOutputTokens;
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.stop?.length) config.stopSequences = request.stop;
  if (Object.keys(config).length) body.inferenceConfig = config;

  const extra: Record<string, unknown> = {};
  const anthropic = isAnthropicModel(target.upstreamModel);
  if (request.topK !== undefined) {
    if (anthropic) extra.top_k = request.topK;
    else warn(target, 'field top_k dropped');
  }
  const budget = thinkingBudget(request);
  if (budget > 0) {
    if (anthropic) extra.thinking = { type: 'enabled', budget_tokens: Math.max(budget, 1024) };
    else warn(target, 'field reasoning dropped');
  }
  if (Object.keys(extra).length) body.additionalModelRequestFields = extra;

  if (request.responseFormat && request.responseFormat.type !== 'text') warn(target, 'field response_format dropped');
  warnDropped(target, { ...seedAndPenalties(request), ...openAIOnlyFields(request) });
  warnUnmapped(request, target);
  return body;
}
