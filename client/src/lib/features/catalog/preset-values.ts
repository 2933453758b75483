import { currentLanguage, tr } from '$lib/i18n';
import { DASH, formatTokens, perMillion } from '$lib/format';

/** Labels of the model fields a catalog preset sets, in the order the diff shows them. */
export const FIELD_LABELS: Record<string, string> = {
  contextWindow: tr('presetValues.contextWindow'),
  maxOutputTokens: tr('presetValues.maxOutputTokens'),
  inputPrice: tr('presetValues.input1M'),
  outputPrice: tr('presetValues.output1M'),
  cacheReadPrice: tr('presetValues.cacheRead1M'),
  cacheWritePrice: tr('presetValues.cacheWrite1M'),
  supportsTools: tr('presetValues.tools'),
  supportsVision: tr('presetValues.vision'),
  supportsReasoning: tr('presetValues.reasoning'),
  mode: tr('presetValues.mode'),
};

/** Prices are shown per 1M tokens, token counts compactly, flags as yes/no. */
export function presetValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return DASH;
  if (field.endsWith('Price')) return usdPerMillion(value as number);
  if (field === 'contextWindow' || field === 'maxOutputTokens') return formatTokens(value as number);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export function usdPerMillion(perToken: number | null | undefined): string {
  const value = perMillion(perToken);
  return value === null ? DASH : `$${value.toLocaleString(currentLanguage(), { maximumFractionDigits: 4 })}`;
}
