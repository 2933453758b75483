import { currentLanguage } from '$lib/i18n';
/** Display and parsing helpers shared by pages. Empty values show as an em dash. */

export const DASH = '—';
const TOKENS_PER_MILLION = 1_000_000;

/** The API stores USD per single token; people read and type prices per 1M tokens. */
export function perMillion(pricePerToken: number | null | undefined): number | null {
  if (pricePerToken === null || pricePerToken === undefined) return null;
  // toPrecision trims float noise such as 2.4999999999999996.
  return Number((pricePerToken * TOKENS_PER_MILLION).toPrecision(12));
}

export function perToken(pricePerMillion: number | null): number | null {
  return pricePerMillion === null ? null : pricePerMillion / TOKENS_PER_MILLION;
}

export function formatUsd(value: number | null | undefined, { precise = false } = {}): string {
  if (value === null || value === undefined) return DASH;
  const digits = precise || (value !== 0 && Math.abs(value) < 0.01) ? 4 : 2;
  return `$${value.toLocaleString(currentLanguage(), { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

export function formatInt(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : value.toLocaleString(currentLanguage());
}

/** 128000 → "128K", 1048576 → "1M" (context windows are read at a glance). */
export function formatTokens(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value >= 1_000_000) return `${Number((value / 1_000_000).toFixed(2))}M`;
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}K`;
  return String(value);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return DASH;
  return new Date(iso).toLocaleDateString(currentLanguage(), { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  return new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' });
}

/** Form value → number, or null when empty. NaN means "not a number" and is reported by the form. */
export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

export function numberText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** yyyy-mm-dd (for <input type="date">) in local time. */
export function dateInputValue(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** An expiry date means "valid through that day", so it ends at local midnight after it. */
export function endOfDayIso(date: string): string | null {
  if (!date) return null;
  const d = new Date(`${date}T23:59:59.999`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
