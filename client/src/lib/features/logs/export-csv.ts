import { RequestLogsQuery } from '$lib/api/logs';
import type { RequestLogFilter } from '$lib/graphql/generated/graphql';
import { toCsv } from '$lib/features/usage/range';
import { session } from '$lib/stores/session.svelte';
import type { LogRow } from './types';

/** Rows one export reads at most (keyset pages of 200); the file says when it stopped there. */
export const EXPORT_LIMIT = 10_000;
const PAGE = 200;

/** Every log row matching the filter, newest first, paged through the same query as the list. */
export async function logsForExport(filter: RequestLogFilter): Promise<{ rows: LogRow[]; truncated: boolean }> {
  const rows: LogRow[] = [];
  let after: string | null | undefined;
  for (;;) {
    const result = await session.client.query(RequestLogsQuery, { first: PAGE, after, filter }, { requestPolicy: 'network-only' }).toPromise();
    if (result.error) throw result.error;
    const page = result.data?.requestLogs;
    if (!page) break;
    rows.push(...page.nodes);
    if (rows.length >= EXPORT_LIMIT) return { rows: rows.slice(0, EXPORT_LIMIT), truncated: true };
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { rows, truncated: false };
}

/** Column names as data tools expect them (stable, not translated). */
const COLUMNS = [
  'created_at',
  'status',
  'api',
  'stream',
  'requested_model',
  'target_model',
  'provider',
  'key_name',
  'key_prefix',
  'attempts',
  'latency_ms',
  'ttfb_ms',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cache',
  'error_class',
  'error_message',
];

/** A text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text. */
const cell = (value: string | null | undefined) => (value && /^[=+\-@\t\r]/.test(value) ? `'${value}` : (value ?? ''));

export function logsCsv(rows: readonly LogRow[]): string {
  return toCsv([
    COLUMNS,
    ...rows.map((r) => [
      r.createdAt,
      r.status,
      r.clientApi,
      r.stream ? 'true' : 'false',
      cell(r.requestedModel),
      cell(r.targetModel),
      cell(r.providerName),
      cell(r.keyName),
      cell(r.keyPrefix),
      r.attempts,
      r.latencyMs,
      r.ttftMs ?? '',
      r.inputTokens,
      r.outputTokens,
      r.costUsd,
      r.cache ?? '',
      cell(r.errorClass),
      cell(r.errorMessage),
    ]),
  ]);
}
