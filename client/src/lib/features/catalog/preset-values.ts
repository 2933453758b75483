import { DASH, formatTokens, perMillion } from '$lib/format';

/** Labels of the model fields a catalog preset sets, in the order the diff shows them. */
export const FIELD_LABELS: Record<string, string> = {
  contextWindow: 'Context window',
  maxOutputTokens: 'Max output tokens',
  inputPrice: 'Input $/1M',
  outputPrice: 'Output $/1M',
  cacheReadPrice: 'Cache read $/1M',
  cacheWritePrice: 'Cache write $/1M',
  supportsTools: 'Tools',
  supportsVision: 'Vision',
  supportsReasoning: 'Reasoning',
  mode: 'Mode',
};

/** Prices are shown per 1M tokens, token counts compactly, flags as yes/no. */
export function presetValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return DASH;
  if (field.endsWith('Price')) return usdPerMillion(value as number);
  if (field === 'contextWindow' || field === 'maxOutputTokens') return formatTokens(value as number);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function usdPerMillion(perToken: number | null | undefined): string {
  const value = perMillion(perToken);
  return value === null ? DASH : `$${value.toLocaleString('en-US', { maximumFractionDigits: 4 })}`;
}
