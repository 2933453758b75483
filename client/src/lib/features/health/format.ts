import { currentLanguage, tr } from '$lib/i18n';
import { DASH } from '$lib/format';
import type { HealthState } from './public-api';

export const STATE_LABEL: Record<HealthState, string> = {
  healthy: tr('healthFormat.operational'),
  degraded: tr('healthFormat.degraded'),
  down: tr('healthFormat.down'),
  unknown: tr('healthFormat.noData'),
};

export const STATE_TAG: Record<HealthState, 'success' | 'warning' | 'error' | 'default'> = {
  healthy: 'success',
  degraded: 'warning',
  down: 'error',
  unknown: 'default',
};

/** Percent with two decimals, trimmed: 100 → "100%", 99.5 → "99.5%". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return `${Number(value.toFixed(2))}%`;
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value).toLocaleString(currentLanguage())} ms`;
}

export const ERROR_LABEL: Record<string, string> = {
  timeout: tr('healthFormat.timeout'),
  http_4xx: tr('healthFormat.hTTP4xx'),
  http_5xx: tr('healthFormat.hTTP5xx'),
  connection: tr('healthFormat.connection'),
  invalid_response: tr('healthFormat.invalidResponse'),
  expectation_failed: tr('healthFormat.unexpectedAnswer'),
};

export const errorLabel = (type: string | null | undefined) => (type ? (ERROR_LABEL[type] ?? type) : DASH);

export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return tr('healthFormat.min', { value: seconds / 60 });
  return `${seconds} s`;
}
