import { invalidRequest } from '../../../core/index.js';
import type { CanonicalRequest, ReasoningConfig, ResponseFormat } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { decodeJsonSchemaFormat, REASONING_EFFORTS } from '../openai-chat/request-decode.js';
import { optBoolean, optInteger, optMetadata, optNumber, optRecord, optString, requireOneOf, requireRecord, requireString } from '../openai-chat/validate.js';
import { decodeInput } from './input-decode.js';
import { decodeResponsesToolChoice, decodeResponsesTools } from './tools-decode.js';

/**
 * Responses request body → canonical request. `instructions` is kept twice:
 * in `request.instructions` (so the response echoes it back verbatim) and as a
 * leading system message (so every other format sees it as a system prompt).
 * `previous_response_id` is resolved before decoding, by the response store
 * (server/response-store), which replaces it with the stored turns; one that
 * still reaches the decoder was not resolved and is refused rather than
 * silently ignored. `conversation` objects are not stored, so they are refused.
 */
export function decodeResponsesRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw invalidRequest(
      'previous_response_id is not supported here: it must be resolved by the response store before decoding. Send the full conversation in `input` instead.',
      'previous_response_id',
    );
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    throw invalidRequest(
      'conversation is not supported: this gateway does not store conversations. Send the full conversation in `input` instead.',
      'conversation',
    );
  }
  if (body.model === undefined) throw invalidRequest("Missing required parameter: 'model'.", 'model');
  const model = requireString(body.model, 'model');
  if (model === '') throw invalidRequest("Invalid 'model': empty string.", 'model');

  const messages = decodeInput(body.input);
  const instructions = optString(body.instructions, 'instructions');
  if (instructions) messages.unshift({ role: 'system', content: [{ type: 'text', text: instructions }] });

  const request: CanonicalRequest = { model, messages, stream: optBoolean(body.stream, 'stream') ?? false };
  if (instructions !== undefined) request.instructions = instructions;
  const tools = decodeResponsesTools(body.tools);
  if (tools) request.tools = tools;
  const unmapped = unmappedFields(body);
  const { choice, unmapped: choiceUnmapped } = decodeResponsesToolChoice(body.tool_choice);
  if (choice) request.toolChoice = choice;
  if (choiceUnmapped) unmapped.push('tool_choice');
  assign(request, 'parallelToolCalls', optBoolean(body.parallel_tool_calls, 'parallel_tool_calls'));
  const text = optRecord(body.text, 'text');
  const format = text ? decodeFormat(text.format) : undefined;
  if (format) request.responseFormat = format;
  assign(request, 'verbosity', text ? optString(text.verbosity, 'text.verbosity') : undefined);
  const reasoning = decodeReasoning(body.reasoning, unmapped);
  if (reasoning) request.reasoning = reasoning;
  assign(request, 'maxTokens', optInteger(body.max_output_tokens, 'max_output_tokens', 1));
  assign(request, 'temperature', optNumber(body.temperature, 'temperature', 0, 2));
  assign(request, 'topP', optNumber(body.top_p, 'top_p', 0, 1));
  assign(request, 'metadata', optMetadata(body.metadata, 'metadata'));
  assign(request, 'store', optBoolean(body.store, 'store'));
  assign(request, 'user', optString(body.user, 'user') ?? optString(body.safety_identifier, 'safety_identifier'));
  assign(request, 'promptCacheKey', optString(body.prompt_cache_key, 'prompt_cache_key'));
  assign(request, 'serviceTier', optString(body.service_tier, 'service_tier'));
  if (unmapped.length) request.unmapped = unmapped;
  return request;
}

/**
 * Fields the canonical request carries (or that only steer the Responses API
 * itself: `include` asks for encrypted reasoning, which is carried anyway).
 * Everything else the client set is listed as unmapped, unknown future fields
 * included: a passthrough still sends it, a translation reports it dropped.
 */
const MAPPED_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'metadata',
  'store',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'include',
  'previous_response_id',
  'conversation',
]);

function unmappedFields(body: Record<string, unknown>): string[] {
  return Object.keys(body).filter((key) => !MAPPED_FIELDS.has(key) && body[key] !== null && body[key] !== undefined);
}

function assign<K extends keyof CanonicalRequest>(target: CanonicalRequest, key: K, value: CanonicalRequest[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function decodeFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const format = requireRecord(value, 'text.format');
  const type = requireOneOf(format.type, ['text', 'json_object', 'json_schema'], 'text.format.type');
  if (type !== 'json_schema') return { type };
  return decodeJsonSchemaFormat(format, 'text.format');
}

function decodeReasoning(value: unknown, unmapped: string[]): ReasoningConfig | undefined {
  const reasoning = optRecord(value, 'reasoning');
  if (!reasoning) return undefined;
  const config: ReasoningConfig = {};
  // Values newer than this gateway pass through to Responses upstreams; elsewhere they are reported dropped.
  const effort = optString(reasoning.effort, 'reasoning.effort');
  if (effort !== undefined) {
    if ((REASONING_EFFORTS as readonly string[]).includes(effort)) config.effort = effort as ReasoningConfig['effort'];
    else unmapped.push('reasoning.effort');
    if (config.effort === 'none') config.disabled = true;
  }
  const summary = optString(reasoning.summary ?? reasoning.generate_summary, 'reasoning.summary');
  if (summary !== undefined) {
    if (['auto', 'concise', 'detailed'].includes(summary)) config.summary = summary;
    else unmapped.push('reasoning.summary');
  }
  return Object.keys(config).length > 0 ? config : undefined;
}
