import type { FinishReason, Usage } from '../../../core/index.js';
import type { BedrockImageFormat, BedrockUsage } from './types.js';

/** Converse stopReason → canonical. */
export function finishReasonFromBedrock(reason: unknown, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'end_turn':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/**
 * Converse usage → canonical. Like Anthropic, Bedrock counts cache reads and
 * writes apart from inputTokens; canonical input includes them.
 */
export function usageFromBedrock(usage: BedrockUsage | undefined): Usage {
  const read = num(usage?.cacheReadInputTokens);
  const write = num(usage?.cacheWriteInputTokens);
  const out: Usage = { inputTokens: num(usage?.inputTokens) + read + write, outputTokens: num(usage?.outputTokens) };
  if (usage?.cacheReadInputTokens !== undefined) out.cachedInputTokens = read;
  if (usage?.cacheWriteInputTokens !== undefined) out.cacheWriteTokens = write;
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const FORMATS: Record<string, BedrockImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** A MIME type → Converse image format; undefined for types Converse does not take. */
export function imageFormatOf(mediaType: string): BedrockImageFormat | undefined {
  return FORMATS[mediaType.toLowerCase()];
}
