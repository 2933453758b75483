import { invalidRequest } from '../../canonical/index.js';
import type { CanonicalRequest, ReasoningConfig, ResponseFormat, ToolChoice, ToolDefinition } from '../../canonical/index.js';
import { isRecord } from '../shared/json.js';
import { REASONING_EFFORTS } from '../openai-chat/request-decode.js';
import {
  emptyParameters,
  optBoolean,
  optInteger,
  optMetadata,
  optNumber,
  optRecord,
  optSchema,
  optString,
  requireArray,
  requireOneOf,
  requireRecord,
  requireString,
} from '../openai-chat/validate.js';
import { decodeInput } from './input-decode.js';

/**
 * Responses request body → canonical request. `instructions` is kept twice:
 * in `request.instructions` (so the response echoes it back verbatim) and as a
 * leading system message (so every other format sees it as a system prompt).
 * Server-side state (`previous_response_id`, `conversation`) is refused: the
 * gateway is stateless and cannot replay stored turns to another provider.
 */
export function decodeResponsesRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw invalidRequest(
      'previous_response_id is not supported: this gateway does not store responses. Send the full conversation in `input` instead.',
      'previous_response_id',
    );
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    throw invalidRequest('conversation is not supported: this gateway does not store conversations. Send the full conversation in `input` instead.', 'conversation');
  }
  if (body.model === undefined) throw invalidRequest("Missing required parameter: 'model'.", 'model');
  const model = requireString(body.model, 'model');
  if (model === '') throw invalidRequest("Invalid 'model': empty string.", 'model');

  const messages = decodeInput(body.input);
  const instructions = optString(body.instructions, 'instructions');
  if (instructions) messages.unshift({ role: 'system', content: [{ type: 'text', text: instructions }] });

  const request: CanonicalRequest = { model, messages, stream: optBoolean(body.stream, 'stream') ?? false };
  if (instructions !== undefined) request.instructions = instructions;
  const tools = decodeTools(body.tools);
  if (tools) request.tools = tools;
  const toolChoice = decodeToolChoice(body.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  assign(request, 'parallelToolCalls', optBoolean(body.parallel_tool_calls, 'parallel_tool_calls'));
  const text = optRecord(body.text, 'text');
  const format = text ? decodeFormat(text.format) : undefined;
  if (format) request.responseFormat = format;
  const reasoning = decodeReasoning(body.reasoning);
  if (reasoning) request.reasoning = reasoning;
  assign(request, 'maxTokens', optInteger(body.max_output_tokens, 'max_output_tokens', 1));
  assign(request, 'temperature', optNumber(body.temperature, 'temperature', 0, 2));
  assign(request, 'topP', optNumber(body.top_p, 'top_p', 0, 1));
  assign(request, 'metadata', optMetadata(body.metadata, 'metadata'));
  assign(request, 'store', optBoolean(body.store, 'store'));
  assign(request, 'user', optString(body.user, 'user') ?? optString(body.safety_identifier, 'safety_identifier'));
  return request;
}

function assign<K extends keyof CanonicalRequest>(target: CanonicalRequest, key: K, value: CanonicalRequest[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function decodeTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  return requireArray(value, 'tools').map((raw, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(raw, path);
    if (tool.type !== 'function') {
      throw invalidRequest(
        `Tool type ${JSON.stringify(tool.type)} is not supported by this gateway; only 'function' tools can be translated to other providers.`,
        `${path}.type`,
      );
    }
    const def: ToolDefinition = {
      name: requireString(tool.name, `${path}.name`),
      parameters: optSchema(tool.parameters, `${path}.parameters`) ?? emptyParameters(),
    };
    const description = optString(tool.description, `${path}.description`);
    if (description !== undefined) def.description = description;
    const strict = optBoolean(tool.strict, `${path}.strict`);
    if (strict !== undefined) def.strict = strict;
    return def;
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { type: requireOneOf(value, ['auto', 'none', 'required'], 'tool_choice') };
  const choice = requireRecord(value, 'tool_choice');
  requireOneOf(choice.type, ['function'], 'tool_choice.type');
  return { type: 'tool', name: requireString(choice.name, 'tool_choice.name') };
}

function decodeFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const format = requireRecord(value, 'text.format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'], 'text.format.type');
  if (type !== 'json_schema') return { type };
  const result: ResponseFormat = {
    type: 'json_schema',
    name: requireString(format.name, 'text.format.name'),
    schema: optSchema(format.schema, 'text.format.schema') ?? {},
  };
  const description = optString(format.description, 'text.format.description');
  if (description !== undefined) result.description = description;
  const strict = optBoolean(format.strict, 'text.format.strict');
  if (strict !== undefined) result.strict = strict;
  return result;
}

function decodeReasoning(value: unknown): ReasoningConfig | undefined {
  const reasoning = optRecord(value, 'reasoning');
  if (!reasoning) return undefined;
  const config: ReasoningConfig = {};
  if (reasoning.effort !== undefined && reasoning.effort !== null) {
    config.effort = requireOneOf(reasoning.effort, REASONING_EFFORTS, 'reasoning.effort');
    if (config.effort === 'none') config.disabled = true;
  }
  const summary = reasoning.summary ?? reasoning.generate_summary;
  if (summary !== undefined && summary !== null) config.summary = requireOneOf(summary, ['auto', 'concise', 'detailed'], 'reasoning.summary');
  return Object.keys(config).length > 0 ? config : undefined;
}
