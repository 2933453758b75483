import type { ModelEntry } from '../../snapshot/types.js';
import type { Usage } from '../../core/usage.js';

/**
 * USD cost of one request from the model's per-token prices. Cached input is
 * billed at the cache-read price when one is set, else as normal input;
 * cache writes at the cache-write price when set.
 */
export function requestCost(model: ModelEntry, usage: Usage | undefined): number {
  if (!usage) return 0;
  const input = model.inputPrice ?? 0;
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const plain = Math.max(0, usage.inputTokens - cached - written);
  return plain * input + cached * (model.cacheReadPrice ?? input) + written * (model.cacheWritePrice ?? input) + usage.outputTokens * (model.outputPrice ?? 0);
}
