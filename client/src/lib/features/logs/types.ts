import { currentLanguage, tr } from '$lib/i18n';
import type { RequestLogQuery, RequestLogRowFragment } from '$lib/graphql/generated/graphql';
import { usageRange, type RangeChoice } from '$lib/features/usage/range';

export type LogRow = RequestLogRowFragment;
export type LogDetail = NonNullable<RequestLogQuery['requestLog']>;

export interface LogFilters {
  keyId: string;
  model: string;
  statusClass: string;
  search: string;
  /** 'all', or the usage page's ranges (24 h, 7 d, 30 d, custom days). */
  range: 'all' | RangeChoice;
  /** Custom range: first and last day, YYYY-MM-DD (UTC days, as on the usage page). */
  fromDay: string;
  toDay: string;
}

export const EMPTY_FILTERS: LogFilters = { keyId: '', model: '', statusClass: '', search: '', range: 'all', fromDay: '', toDay: '' };

/** The API's from/to of the chosen range (to exclusive); none for 'all'. */
export function rangeFilter(filters: LogFilters, now = new Date()): { from?: string; to?: string } {
  if (filters.range === 'all') return {};
  const range = usageRange(filters.range, now, { from: filters.fromDay, to: filters.toDay });
  return { from: range.from.toISOString(), to: range.to.toISOString() };
}

export const STATUS_CLASSES = [
  { value: '2xx', label: tr('logsTypes.n2xxSuccess') },
  { value: '4xx', label: tr('logsTypes.n4xxClientError') },
  { value: '5xx', label: tr('logsTypes.n5xxServerError') },
];

export function statusType(status: number): 'success' | 'warning' | 'error' | 'default' {
  if (status < 300) return 'success';
  if (status < 500) return 'warning';
  return 'error';
}

export function statusClassOf(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toLocaleString(currentLanguage())} ms`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(currentLanguage(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The live tail filters on the client too: keys, model and status class as the stream, plus free text. */
export function matchesLive(row: LogRow, filters: LogFilters, text: string): boolean {
  if (filters.keyId && row.keyId !== filters.keyId) return false;
  if (filters.model && row.requestedModel !== filters.model) return false;
  if (filters.statusClass && statusClassOf(row.status) !== filters.statusClass) return false;
  if (filters.search && !(row.errorMessage ?? '').toLowerCase().includes(filters.search.toLowerCase())) return false;
  const { from, to } = rangeFilter(filters);
  if ((from && row.createdAt < from) || (to && row.createdAt >= to)) return false;
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  return [
    row.requestedModel,
    row.targetModel,
    row.keyName,
    row.keyPrefix,
    row.providerName,
    row.errorMessage,
    row.errorClass,
    String(row.status),
    row.clientApi,
  ]
    .filter(Boolean)
    .some((v) => String(v).toLowerCase().includes(needle));
}
