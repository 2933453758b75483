import { invalidRequest } from '../../../core/index.js';
import type { CanonicalRequest, Message, ReasoningEffort, ResponseFormat, ToolChoice, ToolDefinition } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { decodeMessages } from './messages-decode.js';
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
} from './validate.js';

/** Chat Completions request body → canonical request (strict: wrong types are 400s naming the field). */

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

export function decodeChatRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  if (body.model === undefined) throw invalidRequest('you must provide a model parameter', 'model');
  const model = requireString(body.model, 'model');
  if (model === '') throw invalidRequest("Invalid 'model': empty string.", 'model');
  const n = optInteger(body.n, 'n', 1);
  if (n !== undefined && n !== 1) throw invalidRequest('Only n=1 is supported by this gateway.', 'n');

  const messages = decodeMessages(body.messages);
  nameToolResults(messages);
  const stream = optBoolean(body.stream, 'stream') ?? false;
  const request: CanonicalRequest = { model, messages, stream };

  const tools = decodeTools(body.tools);
  if (tools) request.tools = tools;
  const toolChoice = decodeToolChoice(body.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  assign(request, 'parallelToolCalls', optBoolean(body.parallel_tool_calls, 'parallel_tool_calls'));
  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) request.responseFormat = responseFormat;

  // max_completion_tokens is the current name; max_tokens the deprecated one. Either works.
  const maxCompletion = optInteger(body.max_completion_tokens, 'max_completion_tokens', 1);
  const maxTokens = optInteger(body.max_tokens, 'max_tokens', 1);
  assign(request, 'maxTokens', maxCompletion ?? maxTokens);
  assign(request, 'temperature', optNumber(body.temperature, 'temperature', 0, 2));
  assign(request, 'topP', optNumber(body.top_p, 'top_p', 0, 1));
  assign(request, 'stop', decodeStop(body.stop));
  assign(request, 'seed', optInteger(body.seed, 'seed'));
  assign(request, 'presencePenalty', optNumber(body.presence_penalty, 'presence_penalty', -2, 2));
  assign(request, 'frequencyPenalty', optNumber(body.frequency_penalty, 'frequency_penalty', -2, 2));
  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    const effort = requireOneOf(body.reasoning_effort, REASONING_EFFORTS, 'reasoning_effort');
    // `none` switches reasoning off; formats with a thinking toggle read `disabled`.
    request.reasoning = effort === 'none' ? { effort, disabled: true } : { effort };
  }
  assign(request, 'user', optString(body.user, 'user') ?? optString(body.safety_identifier, 'safety_identifier'));
  assign(request, 'metadata', optMetadata(body.metadata, 'metadata'));
  assign(request, 'store', optBoolean(body.store, 'store'));
  assign(request, 'promptCacheKey', optString(body.prompt_cache_key, 'prompt_cache_key'));
  assign(request, 'verbosity', optString(body.verbosity, 'verbosity'));
  assign(request, 'serviceTier', optString(body.service_tier, 'service_tier'));
  const unmapped = Object.keys(body).filter((key) => !MAPPED_FIELDS.has(key) && body[key] !== null && body[key] !== undefined);
  if (isRecord(body.tool_choice) && body.tool_choice.type !== 'function' && body.tool_choice.type !== 'custom') unmapped.push('tool_choice');
  if (unmapped.length) request.unmapped = unmapped;

  const streamOptions = optRecord(body.stream_options, 'stream_options');
  if (streamOptions) {
    if (!stream) throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
    assign(request, 'includeUsage', optBoolean(streamOptions.include_usage, 'stream_options.include_usage'));
  }
  return request;
}

/** Fields the canonical request carries; the rest (logprobs, audio, prediction, future fields) is listed as unmapped. */
const MAPPED_FIELDS = new Set([
  'model',
  'messages',
  'n',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'reasoning_effort',
  'user',
  'safety_identifier',
  'metadata',
  'store',
  'prompt_cache_key',
  'verbosity',
  'service_tier',
]);

/** Sets a field only when the client sent it, so encoders never see invented defaults. */
function assign<K extends keyof CanonicalRequest>(target: CanonicalRequest, key: K, value: CanonicalRequest[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** Tool results carry the tool's name for formats (Gemini) that key results by name. */
function nameToolResults(messages: Message[]): void {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const part of message.content) {
      if (part.type === 'tool_call') names.set(part.id, part.name);
      else if (part.type === 'tool_result' && names.has(part.toolCallId)) part.toolName = names.get(part.toolCallId);
    }
  }
}

function decodeTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  return requireArray(value, 'tools').map((raw, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(raw, path);
    const type = requireString(tool.type, `${path}.type`);
    if (type === 'custom') return decodeCustomTool(tool, path);
    // Future tool types reach a Chat upstream as sent; other formats drop them with a warning.
    if (type !== 'function') return { type: 'opaque', format: 'openai-chat', toolType: type, raw: tool } satisfies ToolDefinition;
    const fn = requireRecord(tool.function, `${path}.function`);
    const def: ToolDefinition = {
      name: requireString(fn.name, `${path}.function.name`),
      parameters: optSchema(fn.parameters, `${path}.function.parameters`) ?? emptyParameters(),
    };
    const description = optString(fn.description, `${path}.function.description`);
    if (description !== undefined) def.description = description;
    const strict = optBoolean(fn.strict, `${path}.function.strict`);
    if (strict !== undefined) def.strict = strict;
    return def;
  });
}

/** Chat's freeform tool (`{type:'custom', custom:{name, description, format}}`), its grammar in the Responses shape. */
function decodeCustomTool(tool: Record<string, unknown>, path: string): ToolDefinition {
  const custom = requireRecord(tool.custom, `${path}.custom`);
  const def: ToolDefinition = { type: 'custom', name: requireString(custom.name, `${path}.custom.name`) };
  const description = optString(custom.description, `${path}.custom.description`);
  if (description !== undefined) def.description = description;
  const format = optRecord(custom.format, `${path}.custom.format`);
  if (format?.type === 'grammar') {
    const grammar = requireRecord(format.grammar, `${path}.custom.format.grammar`);
    def.format = { type: 'grammar', syntax: grammar.syntax, definition: requireString(grammar.definition, `${path}.custom.format.grammar.definition`) };
  } else if (format) def.format = format;
  return def;
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { type: requireOneOf(value, ['auto', 'none', 'required'], 'tool_choice') };
  const choice = requireRecord(value, 'tool_choice');
  if (choice.type === 'custom')
    return { type: 'tool', name: requireString(requireRecord(choice.custom, 'tool_choice.custom').name, 'tool_choice.custom.name') };
  if (choice.type !== 'function') return undefined; // allowed_tools: no cross-format meaning
  const fn = requireRecord(choice.function, 'tool_choice.function');
  return { type: 'tool', name: requireString(fn.name, 'tool_choice.function.name') };
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const format = requireRecord(value, 'response_format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'], 'response_format.type');
  if (type !== 'json_schema') return { type };
  return decodeJsonSchemaFormat(requireRecord(format.json_schema, 'response_format.json_schema'), 'response_format.json_schema');
}

/** A json_schema format's fields: Chat nests them under `json_schema`, Responses has them beside `type`. */
export function decodeJsonSchemaFormat(spec: Record<string, unknown>, path: string): ResponseFormat {
  const result: ResponseFormat = {
    type: 'json_schema',
    name: requireString(spec.name, `${path}.name`),
    schema: optSchema(spec.schema, `${path}.schema`) ?? {},
  };
  const description = optString(spec.description, `${path}.description`);
  if (description !== undefined) result.description = description;
  const strict = optBoolean(spec.strict, `${path}.strict`);
  if (strict !== undefined) result.strict = strict;
  return result;
}

function decodeStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  const list = requireArray(value, 'stop').map((s, i) => requireString(s, `stop[${i}]`));
  if (list.length > 4) throw invalidRequest("Invalid 'stop': array too long. Expected an array with maximum length 4.", 'stop');
  return list;
}
