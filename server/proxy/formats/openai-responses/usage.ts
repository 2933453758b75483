import type { FinishReason, Usage } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';

/** Responses `usage`, `status` and `incomplete_details` ↔ canonical usage and finish reason. */

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function encodeResponsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function decodeResponsesUsage(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const usage: Usage = { inputTokens: num(raw.input_tokens) ?? 0, outputTokens: num(raw.output_tokens) ?? 0 };
  const cached = isRecord(raw.input_tokens_details) ? num(raw.input_tokens_details.cached_tokens) : undefined;
  if (cached) usage.cachedInputTokens = cached;
  const reasoning = isRecord(raw.output_tokens_details) ? num(raw.output_tokens_details.reasoning_tokens) : undefined;
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}

export interface ResponsesStatus {
  status: 'completed' | 'incomplete';
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
}

/** Only the token limit and content filtering make a Responses answer `incomplete`. */
export function encodeResponsesStatus(reason: FinishReason): ResponsesStatus {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function decodeResponsesFinish(response: Record<string, unknown>, hasToolCalls: boolean): FinishReason {
  const details = isRecord(response.incomplete_details) ? response.incomplete_details : undefined;
  if (response.status === 'incomplete' || details) {
    if (details?.reason === 'content_filter') return 'content_filter';
    return 'length';
  }
  if (response.status === 'failed') return 'error';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
