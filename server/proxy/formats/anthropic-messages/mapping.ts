import type { FinishReason, Usage } from '../../../core/index.js';
import type { AnthropicStopReason, AnthropicUsage } from './types.js';

/** Anthropic stop_reason → canonical finish reason. */
export function finishReasonFromAnthropic(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_calls';
    case 'pause_turn':
      return 'pause';
    case 'refusal':
      return 'content_filter';
    case 'end_turn':
    case null:
    case undefined:
    default:
      // end_turn, a missing reason, and reasons newer than this gateway read as a plain end.
      return 'stop';
  }
}

/** Canonical finish reason → Anthropic stop_reason (an upstream failure reads as a plain end). */
export function finishReasonToAnthropic(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_calls':
      return 'tool_use';
    case 'pause':
      return 'pause_turn';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case 'error':
      // An upstream failure mid-answer has no stop_reason of its own; the error event says it.
      return 'end_turn';
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Anthropic counts cache reads and writes apart from input_tokens; canonical input
 * counts every prompt token, so the three are added up here.
 */
export function usageFromAnthropic(raw: Partial<AnthropicUsage> | undefined): Partial<Usage> {
  if (!raw) return {};
  const usage: Partial<Usage> = {};
  const read = count(raw.cache_read_input_tokens);
  const write = count(raw.cache_creation_input_tokens);
  if (raw.input_tokens != null || read || write) usage.inputTokens = count(raw.input_tokens) + read + write;
  if (raw.output_tokens != null) usage.outputTokens = count(raw.output_tokens);
  if (raw.cache_read_input_tokens != null) usage.cachedInputTokens = read;
  if (raw.cache_creation_input_tokens != null) usage.cacheWriteTokens = write;
  const thinking = raw.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') usage.reasoningTokens = thinking;
  return usage;
}

/** Canonical usage → Anthropic usage (input_tokens excludes cached and cache-write tokens). */
export function usageToAnthropic(usage: Partial<Usage>): AnthropicUsage {
  const read = usage.cachedInputTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - read - write),
    output_tokens: usage.outputTokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}
