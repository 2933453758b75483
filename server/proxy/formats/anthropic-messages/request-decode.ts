import { invalidRequest } from '../../canonical/index.js';
import type { CanonicalRequest, ContentPart, Message, ReasoningConfig, TextPart, ToolChoice, ToolDefinition } from '../../canonical/index.js';
import { isRecord } from '../shared/json.js';
import { decodeBlocks, decodeText } from './content-decode.js';
import {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireArray,
  requirePositiveInt,
  requireRecord,
  requireString,
} from './validate.js';

/** Top-level fields that change behaviour in ways other formats cannot reproduce. */
const UNSUPPORTED_FIELDS = ['mcp_servers', 'container'];

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
    // Server tools (web_search_…, bash_…, text_editor_…) carry a versioned `type`.
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw invalidRequest(`${field}.type: server tool '${String(tool.type)}' is not supported by this gateway`, `${field}.type`);
    }
    const def: ToolDefinition = {
      name: requireString(tool.name, `${field}.name`),
      parameters: requireRecord(tool.input_schema, `${field}.input_schema`),
    };
    const description = optionalString(tool.description, `${field}.description`);
    if (description !== undefined) def.description = description;
    if (tool.cache_control !== undefined) def.cacheControl = tool.cache_control;
    if (tool.strict === true) def.strict = true;
    return def;
  });
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

function decodeThinking(raw: unknown): ReasoningConfig | undefined {
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
      throw invalidRequest(`thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'`, 'thinking.type');
  }
}

/** Validates an Anthropic Messages request body and turns it into the canonical request. */
export function decodeAnthropicRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object');
  for (const field of UNSUPPORTED_FIELDS) {
    if (body[field] !== undefined && body[field] !== null) {
      throw invalidRequest(`${field}: not supported by this gateway`, field);
    }
  }
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
  const reasoning = decodeThinking(body.thinking);
  if (reasoning) request.reasoning = reasoning;

  if (body.metadata !== undefined && body.metadata !== null) {
    const metadata = requireRecord(body.metadata, 'metadata');
    const user = optionalString(metadata.user_id, 'metadata.user_id');
    if (user !== undefined) request.user = user;
    request.metadata = metadata;
  }
  return request;
}
