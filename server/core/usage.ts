/**
 * Token usage as the upstream reported it. `inputTokens` counts every prompt token,
 * cached ones included; `cachedInputTokens` and `cacheWriteTokens` are subsets of it
 * (Anthropic reports them apart from input_tokens; its decoder adds them up).
 * `reasoningTokens` is a subset of `outputTokens`.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0 };
}
