import type { FinishReason, Usage } from '../../../core/index.js';
import type { GeminiUsageMetadata } from './types.js';

const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);
const FAILED = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'NO_IMAGE']);

/** Gemini finishReason → canonical; a STOP that produced function calls means "run the tools". */
export function finishReasonFromGemini(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  if (reason && FAILED.has(reason)) return 'error';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * usageMetadata → canonical usage. candidatesTokenCount excludes thoughts, while canonical
 * output includes reasoning, so thoughts are added in; cached tokens are part of the prompt count.
 */
export function usageFromGemini(meta: GeminiUsageMetadata | undefined): Usage {
  const thoughts = meta?.thoughtsTokenCount ?? 0;
  const usage: Usage = {
    inputTokens: (meta?.promptTokenCount ?? 0) + (meta?.toolUsePromptTokenCount ?? 0),
    outputTokens: (meta?.candidatesTokenCount ?? 0) + thoughts,
  };
  if (meta?.cachedContentTokenCount !== undefined) usage.cachedInputTokens = meta.cachedContentTokenCount;
  if (meta?.thoughtsTokenCount !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}
