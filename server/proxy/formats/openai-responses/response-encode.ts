import type { CanonicalRequest, CanonicalResponse, ContentPart, ResponseFormat, ToolChoice } from '../../canonical/index.js';
import { makeId } from '../shared/ids.js';
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
    tool_choice: encodeToolChoice(request.toolChoice),
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters,
      strict: tool.strict ?? true,
    })),
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

export function encodeToolChoice(choice: ToolChoice | undefined): unknown {
  if (!choice) return 'auto';
  return choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type;
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

export function reasoningItem(id: string, text: string | undefined): OutputItem {
  return { id, type: 'reasoning', summary: text === undefined ? [] : [{ type: 'summary_text', text }] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): OutputItem {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** Content parts in order → output items; adjacent text parts share one message item. */
export function encodeOutput(content: ContentPart[]): OutputItem[] {
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
    if (part.type === 'reasoning') output.push(reasoningItem(makeId('rs_'), part.text || undefined));
    else if (part.type === 'tool_call') output.push(functionCallItem(makeId('fc_'), part.id, part.name, part.arguments, 'completed'));
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
      output: encodeOutput(response.content),
      usage: encodeResponsesUsage(response.usage),
    },
    request,
  );
}
