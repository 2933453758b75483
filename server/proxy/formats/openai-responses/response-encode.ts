import type { CanonicalRequest, CanonicalResponse, ContentPart, ResponseFormat, ToolCallPart, ToolChoice, ToolDefinition } from '../../../core/index.js';
import { idWithSignature } from '../shared/call-ids.js';
import { packThinking } from '../shared/reasoning-state.js';
import { makeId } from '../shared/ids.js';
import { clientToolCall, customInputFromArguments, toolNameTable, type ClientToolName } from '../shared/tool-names.js';

export { clientToolCall } from '../shared/tool-names.js';
import { encodeResponsesStatus, encodeResponsesUsage } from './usage.js';
import type { ResponsesUsage } from './usage.js';

/**
 * Canonical response → Responses `response` object. The request's settings are
 * echoed the way OpenAI echoes them (instructions, tools, tool_choice, text,
 * reasoning, limits), with OpenAI's defaults where the client sent nothing.
 */

export type OutputItem = Record<string, unknown> & { type: string };

export interface ResponseEnvelopeState {
  id: string;
  model: string;
  createdAt: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  output: OutputItem[];
  usage: ResponsesUsage | null;
  incompleteDetails?: unknown;
  error?: { code: string; message: string } | null;
}

/** Responses ids start with `resp_`; answers from other formats get the prefix. */
export function responseId(id: string): string {
  return id.startsWith('resp_') ? id : `resp_${id.replace(/^(chatcmpl-|msg_)/, '')}`;
}

export function buildResponseEnvelope(state: ResponseEnvelopeState, request: CanonicalRequest): Record<string, unknown> {
  const done = state.status !== 'in_progress';
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    background: false,
    completed_at: state.status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: state.error ?? null,
    incomplete_details: state.incompleteDetails ?? null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.maxTokens ?? null,
    model: state.model || request.model,
    output: state.output,
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: encodeFormat(request.responseFormat) },
    tool_choice: encodeToolChoice(request.toolChoice, request.tools),
    tools: echoTools(request.tools),
    top_p: request.topP ?? 1,
    truncation: 'disabled',
    usage: done ? state.usage : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

export function encodeFormat(format: ResponseFormat | undefined): Record<string, unknown> {
  if (!format || format.type !== 'json_schema') return { type: format?.type ?? 'text' };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    ...(format.description !== undefined && { description: format.description }),
    strict: format.strict ?? false,
  };
}

export function encodeToolChoice(choice: ToolChoice | undefined, tools?: ToolDefinition[]): unknown {
  if (!choice) return 'auto';
  if (choice.type !== 'tool') return choice.type;
  const custom = tools?.some((t) => t.type === 'custom' && t.name === choice.name);
  return { type: custom ? 'custom' : 'function', name: choice.name };
}

/** The request's tools as a Responses answer echoes them (functions and custom tools in their namespaces, others as sent). */
function echoTools(tools: ToolDefinition[] | undefined): unknown[] {
  const out: unknown[] = [];
  for (const tool of tools ?? []) {
    switch (tool.type) {
      case undefined:
      case 'function':
        out.push({
          type: 'function',
          name: tool.name,
          description: tool.description ?? null,
          parameters: tool.parameters,
          strict: tool.strict ?? true,
          ...(tool.namespace !== undefined && { namespace: tool.namespace }),
        });
        break;
      case 'custom':
        out.push({
          type: 'custom',
          name: tool.name,
          description: tool.description ?? null,
          format: tool.format ?? { type: 'text' },
          ...(tool.namespace !== undefined && { namespace: tool.namespace }),
        });
        break;
      case 'web_search':
        out.push(tool.raw.format === 'openai-responses' ? tool.raw.value : { type: 'web_search' });
        break;
      case 'opaque':
        if (tool.format === 'openai-responses') out.push(tool.raw);
        break;
      default: {
        const _exhaustive: never = tool;
      }
    }
  }
  return out;
}

export function messageItem(id: string, status: string, texts: string[]): OutputItem {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: texts.map((text) => outputText(text)),
  };
}

export function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

export function reasoningItem(id: string, text: string | undefined, encryptedContent?: string): OutputItem {
  return {
    id,
    type: 'reasoning',
    summary: text === undefined ? [] : [{ type: 'summary_text', text }],
    ...(encryptedContent !== undefined && { encrypted_content: encryptedContent }),
  };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: string, namespace?: string): OutputItem {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name, ...(namespace !== undefined && { namespace }) };
}

export function customToolCallItem(id: string, callId: string, name: string, input: string, status: string, namespace?: string): OutputItem {
  return { id, type: 'custom_tool_call', status, call_id: callId, name, input, ...(namespace !== undefined && { namespace }) };
}

function toolCallItem(part: ToolCallPart, table: Map<string, ClientToolName>): OutputItem {
  const call = clientToolCall(part, table);
  const callId = idWithSignature(part.id, part.signature);
  if (call.kind === 'custom') {
    const input = call.wrapped ? customInputFromArguments(part.arguments) : part.arguments;
    return customToolCallItem(makeId('ctc_'), callId, call.name, input, 'completed', call.namespace);
  }
  return functionCallItem(makeId('fc_'), callId, call.name, part.arguments, 'completed', call.namespace);
}

/** What a reasoning item's `encrypted_content` carries: OpenAI's state, or Anthropic's signed thinking packed. */
export function reasoningState(part: { text: string; encryptedContent?: string; signature?: string; redactedData?: string }): string | undefined {
  if (part.encryptedContent !== undefined) return part.encryptedContent;
  if (part.redactedData !== undefined || part.signature) return packThinking(part);
  return undefined;
}

/** Content parts in order → output items; adjacent text parts share one message item. */
export function encodeOutput(content: ContentPart[], tools?: ToolDefinition[]): OutputItem[] {
  const table = toolNameTable(tools);
  const output: OutputItem[] = [];
  let texts: string[] | undefined;
  for (const part of content) {
    if (part.type === 'text') {
      if (!texts) {
        texts = [];
        output.push(messageItem(makeId('msg_'), 'completed', texts));
      }
      texts.push(part.text);
      const item = output[output.length - 1];
      item.content = texts.map((text) => outputText(text));
      continue;
    }
    texts = undefined;
    if (part.type === 'reasoning') output.push(reasoningItem(part.itemId ?? makeId('rs_'), part.text || undefined, reasoningState(part)));
    else if (part.type === 'tool_call') output.push(toolCallItem(part, table));
    else if (part.type === 'opaque' && part.format === 'openai-responses' && !part.inContent) output.push(part.raw as OutputItem);
  }
  return output;
}

export function encodeResponsesResponse(response: CanonicalResponse, request: CanonicalRequest): Record<string, unknown> {
  const { status, incomplete_details } = encodeResponsesStatus(response.finishReason);
  return buildResponseEnvelope(
    {
      id: responseId(response.id),
      model: response.model,
      createdAt: response.created,
      status,
      incompleteDetails: incomplete_details,
      output: encodeOutput(response.content, request.tools),
      usage: encodeResponsesUsage(response.usage),
    },
    request,
  );
}
