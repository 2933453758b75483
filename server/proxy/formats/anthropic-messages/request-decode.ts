import { invalidRequest } from '../../../core/index.js';
import type {
  CanonicalRequest,
  ContentPart,
  Message,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
  WebSearchTool,
} from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { decodeBlocks, decodeText } from './content-decode.js';
import { optionalBoolean, optionalNumber, optionalString, requireArray, requirePositiveInt, requireRecord, requireString } from './validate.js';

/**
 * Fields the canonical request carries. Everything else the client set
 * (context_management, mcp_servers, container, inference_geo, future fields) is
 * listed as unmapped: an Anthropic upstream gets it, another format reports it dropped.
 */
const MAPPED_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'tools',
  'tool_choice',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'thinking',
  'metadata',
  'output_config',
  'output_format',
  'service_tier',
]);

/** Anthropic `output_config.effort` → canonical effort (`max` is beyond OpenAI's scale: its top). */
const EFFORTS: Record<string, ReasoningEffort> = { low: 'low', medium: 'medium', high: 'high', max: 'xhigh' };

function decodeSystem(system: unknown): Message[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: [{ type: 'text', text: system }] }];
  const parts: TextPart[] = requireArray(system, 'system').map((raw, i) => {
    const block = requireRecord(raw, `system.${i}`);
    if (block.type !== 'text') throw invalidRequest(`system.${i}.type: only text blocks are allowed in system`, `system.${i}.type`);
    return decodeText(block, `system.${i}`);
  });
  return parts.length ? [{ role: 'system', content: parts }] : [];
}

/**
 * Splits a user turn so each tool_result becomes its own `tool` message at the place
 * it stood, with the user's other content before and after kept in order.
 */
function splitUserTurn(parts: ContentPart[]): Message[] {
  const out: Message[] = [];
  let pending: ContentPart[] = [];
  for (const part of parts) {
    if (part.type === 'tool_result') {
      if (pending.length) out.push({ role: 'user', content: pending });
      pending = [];
      out.push({ role: 'tool', content: [part] });
    } else {
      pending.push(part);
    }
  }
  if (pending.length || out.length === 0) out.push({ role: 'user', content: pending });
  return out;
}

function decodeMessages(raw: unknown): Message[] {
  const list = requireArray(raw, 'messages');
  if (list.length === 0) throw invalidRequest('messages: at least one message is required', 'messages');
  const toolNames = new Map<string, string>();
  const out: Message[] = [];
  list.forEach((item, i) => {
    const field = `messages.${i}`;
    const message = requireRecord(item, field);
    const role = message.role;
    if (role === 'system') {
      // Mid-conversation system turns (newer clients send them): text only, kept in place.
      out.push(...decodeSystem(message.content));
      return;
    }
    if (role !== 'user' && role !== 'assistant') {
      throw invalidRequest(`${field}.role: Input should be 'user' or 'assistant'`, `${field}.role`);
    }
    const parts = decodeBlocks(role, message.content, `${field}.content`, toolNames);
    if (role === 'user') out.push(...splitUserTurn(parts));
    else out.push({ role: 'assistant', content: parts });
  });
  return out;
}

function decodeTools(raw: unknown): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  return requireArray(raw, 'tools').map((item, i) => {
    const field = `tools.${i}`;
    const tool = requireRecord(item, field);
    // Server tools (web_search_…, web_fetch_…, code_execution_…, tool_search_tool_…) carry a versioned `type`.
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      const type = requireString(tool.type, `${field}.type`);
      if (type.startsWith('web_search_')) return decodeWebSearch(tool);
      return {
        type: 'opaque',
        format: 'anthropic-messages',
        toolType: type,
        ...(typeof tool.name === 'string' && { name: tool.name }),
        raw: tool,
      } satisfies ToolDefinition;
    }
    const def: ToolDefinition = {
      name: requireString(tool.name, `${field}.name`),
      parameters: requireRecord(tool.input_schema, `${field}.input_schema`),
    };
    const description = optionalString(tool.description, `${field}.description`);
    if (description !== undefined) def.description = description;
    if (tool.cache_control !== undefined) def.cacheControl = tool.cache_control;
    if (tool.strict === true) def.strict = true;
    const defer = optionalBoolean(tool.defer_loading, `${field}.defer_loading`);
    if (defer !== undefined) def.deferLoading = defer;
    return def;
  });
}

function decodeWebSearch(tool: Record<string, unknown>): WebSearchTool {
  const search: WebSearchTool = { type: 'web_search', raw: { format: 'anthropic-messages', value: tool } };
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : undefined);
  const allowed = strings(tool.allowed_domains);
  if (allowed) search.allowedDomains = allowed;
  const blocked = strings(tool.blocked_domains);
  if (blocked) search.blockedDomains = blocked;
  if (typeof tool.max_uses === 'number') search.maxUses = tool.max_uses;
  if (isRecord(tool.user_location)) search.userLocation = tool.user_location;
  return search;
}

function decodeToolChoice(raw: unknown): { choice?: ToolChoice; parallel?: boolean } {
  if (raw === undefined || raw === null) return {};
  const tc = requireRecord(raw, 'tool_choice');
  const disable = optionalBoolean(tc.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  const parallel = disable === undefined ? undefined : !disable;
  switch (tc.type) {
    case 'auto':
      return { choice: { type: 'auto' }, parallel };
    case 'any':
      return { choice: { type: 'required' }, parallel };
    case 'none':
      return { choice: { type: 'none' }, parallel };
    case 'tool':
      return { choice: { type: 'tool', name: requireString(tc.name, 'tool_choice.name') }, parallel };
    default:
      throw invalidRequest(`tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'`, 'tool_choice.type');
  }
}

/** `output_config` (and the older `output_format`): effort, and structured output as a JSON schema. */
function decodeOutputConfig(body: Record<string, unknown>, request: CanonicalRequest, unmapped: string[]): void {
  const config = body.output_config === undefined || body.output_config === null ? {} : requireRecord(body.output_config, 'output_config');
  const effort = optionalString(config.effort, 'output_config.effort');
  if (effort !== undefined) {
    if (EFFORTS[effort]) request.reasoning = { ...request.reasoning, effort: EFFORTS[effort] };
    else unmapped.push('output_config.effort');
  }
  const rawFormat = config.format ?? body.output_format;
  if (rawFormat === undefined || rawFormat === null) return;
  const param = config.format !== undefined ? 'output_config.format' : 'output_format';
  const format = requireRecord(rawFormat, param);
  if (format.type !== 'json_schema') {
    unmapped.push(`${param}.type`);
    return;
  }
  const schema = requireRecord(format.schema, `${param}.schema`);
  const result: ResponseFormat = { type: 'json_schema', name: 'output', schema, strict: true };
  request.responseFormat = result;
}

function decodeThinking(raw: unknown, unmapped: string[]): ReasoningConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const thinking = requireRecord(raw, 'thinking');
  switch (thinking.type) {
    case 'enabled':
      return { budgetTokens: requirePositiveInt(thinking.budget_tokens, 'thinking.budget_tokens') };
    case 'disabled':
      return { disabled: true };
    case 'adaptive':
      // The model picks its own budget; upstreams without that notion use their default.
      return {};
    default:
      requireString(thinking.type, 'thinking.type');
      unmapped.push('thinking');
      return undefined;
  }
}

/** Validates an Anthropic Messages request body and turns it into the canonical request. */
export function decodeAnthropicRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object');
  const unmapped = Object.keys(body).filter((key) => !MAPPED_FIELDS.has(key) && body[key] !== null && body[key] !== undefined);
  const model = requireString(body.model, 'model');
  if (model === '') throw invalidRequest('model: must not be empty', 'model');
  const maxTokens = requirePositiveInt(body.max_tokens, 'max_tokens');

  const request: CanonicalRequest = {
    model,
    messages: [...decodeSystem(body.system), ...decodeMessages(body.messages)],
    maxTokens,
    stream: optionalBoolean(body.stream, 'stream') ?? false,
  };

  const tools = decodeTools(body.tools);
  if (tools) request.tools = tools;
  const { choice, parallel } = decodeToolChoice(body.tool_choice);
  if (choice) request.toolChoice = choice;
  if (parallel !== undefined) request.parallelToolCalls = parallel;

  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    request.stop = requireArray(body.stop_sequences, 'stop_sequences').map((s, i) => requireString(s, `stop_sequences.${i}`));
  }
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 1);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const topK = optionalNumber(body.top_k, 'top_k', 0);
  if (topK !== undefined) request.topK = topK;
  const reasoning = decodeThinking(body.thinking, unmapped);
  if (reasoning) request.reasoning = reasoning;
  decodeOutputConfig(body, request, unmapped);
  const tier = optionalString(body.service_tier, 'service_tier');
  if (tier !== undefined) request.serviceTier = tier === 'standard_only' ? 'default' : tier;

  if (body.metadata !== undefined && body.metadata !== null) {
    const metadata = requireRecord(body.metadata, 'metadata');
    const user = optionalString(metadata.user_id, 'metadata.user_id');
    if (user !== undefined) request.user = user;
    request.metadata = metadata;
  }
  if (unmapped.length) request.unmapped = unmapped;
  return request;
}
