import type { DbKind } from '../db/client.js';
import type { RequestLogRow } from '../core/request-log-row.js';

/**
 * The rollup of the request log (table "RequestLogRollup"): one row per UTC
 * hour, and one per UTC day (`span` 1 or 24 hours, `hour` its first hour),
 * × virtual key × requested model × provider × team with the
 * additive measures of usage (requests, errors, token and cost sums, cache
 * hits), the longest latency and a fixed-bin latency histogram. Every batch of
 * log rows adds to it in the same transaction as its insert (upsert with
 * additions), so the rollup always equals the raw rows it summarises.
 *
 * A request without a key, model, provider or team is stored under '' (a NULL
 * would defeat the unique key that the upserts conflict on) and read back as
 * null: a request whose requested model is literally the empty string counts
 * with the requests without one.
 *
 * Percentiles cannot be added up, so the rollup keeps how many latencies fell
 * in each bin of LATENCY_BINS; a percentile read from it is interpolated
 * inside the bin holding its rank (nearest-rank, like the raw SQL), so it is
 * in the same bin as the exact value: off by less than the bin's width (at
 * most 25 % of the value between 65 ms and 15 s, wider beyond) and never above
 * the longest latency. See usage-sql.ts for when it is read.
 */
export const ROLLUP_TABLE = 'RequestLogRollup';
export const HOUR_MS = 3_600_000;
/** The spans kept, in hours: hours for the edges of a range, days for its middle. */
export const SPANS = [1, 24] as const;

/** Upper bounds (inclusive, ms) of the latency bins; one more bin holds everything above the last. */
export const LATENCY_BINS: readonly number[] = [
  10, 20, 30, 40, 50, 65, 80, 100, 125, 150, 175, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 3_500,
  4_000, 5_000, 6_000, 7_000, 8_000, 10_000, 12_500, 15_000, 20_000, 25_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000, 300_000,
] as const;
export const BIN_COUNT = LATENCY_BINS.length + 1;
/** Histogram column names: h00 … h47. */
export const BIN_COLUMNS = Array.from({ length: BIN_COUNT }, (_, i) => `h${String(i).padStart(2, '0')}`);

export const DIMENSIONS = ['virtualKeyId', 'requestedModel', 'providerId', 'teamId'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
const SUMS = ['requests', 'errors', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'costUsd', 'cacheHits', 'costSavedUsd'] as const;
/** Columns of the rollup in insert order. */
export const ROLLUP_COLUMNS = ['span', 'hour', ...DIMENSIONS, ...SUMS, 'latencyMaxMs', ...BIN_COLUMNS] as const;
const KEY_COLUMNS = ['span', 'hour', ...DIMENSIONS];

/** The bin of one latency. */
export function latencyBin(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BINS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= LATENCY_BINS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One rollup row's additions, as the columns of ROLLUP_COLUMNS. */
export type RollupEntry = Array<string | number>;

/** Sums a batch of log rows into rollup additions, one per (span, hour, dimensions), sorted by key so concurrent upserts lock in one order. */
export function rollupOf(rows: readonly RequestLogRow[]): RollupEntry[] {
  const byKey = new Map<string, RollupEntry>();
  const first = 2 + DIMENSIONS.length;
  for (const row of rows) for (const span of SPANS) addRow(byKey, first, span, row);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}

function addRow(byKey: Map<string, RollupEntry>, first: number, span: number, row: RequestLogRow): void {
  const hour = Math.floor(row.createdAt.getTime() / (HOUR_MS * span)) * span;
  const dims = [row.virtualKeyId ?? '', row.requestedModel ?? '', row.providerId ?? '', row.teamId ?? ''];
  const key = `${span}\u0000${hour}\u0000${dims.join('\u0000')}`;
  let found = byKey.get(key);
  if (!found) {
    found = [span, hour, ...dims, ...SUMS.map(() => 0), 0, ...BIN_COLUMNS.map(() => 0)];
    byKey.set(key, found);
  }
  const entry = found;
  const add = (i: number, v: number) => (entry[first + i] = (entry[first + i] as number) + v);
  add(0, 1);
  add(1, row.status >= 400 ? 1 : 0);
  add(2, row.inputTokens);
  add(3, row.outputTokens);
  add(4, row.cachedTokens);
  add(5, row.reasoningTokens);
  add(6, row.costUsd);
  add(7, row.cache === 'hit' ? 1 : 0);
  add(8, row.costSavedUsd);
  const maxAt = first + SUMS.length;
  entry[maxAt] = Math.max(entry[maxAt] as number, row.latencyMs);
  const bin = maxAt + 1 + latencyBin(row.latencyMs);
  entry[bin] = (entry[bin] as number) + 1;
}

const quoted = (c: string) => `"${c}"`;

/** INSERT … ON CONFLICT DO UPDATE adding `count` rollup entries; placeholders `?` (SQLite) or `$n` from `offset + 1` (PostgreSQL). */
export function rollupUpsertSql(kind: DbKind, count: number, offset = 0): string {
  let n = offset;
  const tuple = () => `(${ROLLUP_COLUMNS.map(() => (kind === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
  const tuples = Array.from({ length: count }, tuple).join(', ');
  const table = quoted(ROLLUP_TABLE);
  const adds = [...SUMS, ...BIN_COLUMNS].map((c) => `${quoted(c)} = ${table}.${quoted(c)} + excluded.${quoted(c)}`);
  const max = `"latencyMaxMs" = ${kind === 'postgres' ? 'GREATEST' : 'MAX'}(${table}."latencyMaxMs", excluded."latencyMaxMs")`;
  return (
    `INSERT INTO ${table} (${ROLLUP_COLUMNS.map(quoted).join(', ')}) VALUES ${tuples} ` +
    `ON CONFLICT (${KEY_COLUMNS.map(quoted).join(', ')}) DO UPDATE SET ${[...adds, max].join(', ')}`
  );
}

/** Entries per upsert statement (64 parameters each). */
export const ROLLUP_CHUNK = 500;

/**
 * Retention: rollup rows go with the log rows they sum up, once their whole
 * span is before the cutoff (the hour, or the day, holding the cutoff stays
 * until it has passed). Parameters of rollupPruneSql: the last first hour of
 * each span to delete, and the batch size.
 */
export function rollupPruneParams(cutoff: Date, limit: number): number[] {
  const cutoffHour = Math.floor(cutoff.getTime() / HOUR_MS);
  // Each log row is in one rollup row per span: a batch that may take `limit` log rows may take that many rollup rows per span.
  return [...SPANS.map((span) => cutoffHour - span), limit * SPANS.length];
}

/** SQL deleting one bounded batch of rollup rows past retention, oldest first (parameters: rollupPruneParams). */
export function rollupPruneSql(kind: DbKind): string {
  const rowId = kind === 'postgres' ? 'ctid' : 'rowid';
  const p = (i: number) => (kind === 'postgres' ? `$${i + 1}` : '?');
  const ended = SPANS.map((span, i) => `("span" = ${span} AND "hour" <= ${p(i)})`).join(' OR ');
  return `DELETE FROM "${ROLLUP_TABLE}" WHERE ${rowId} IN (SELECT ${rowId} FROM "${ROLLUP_TABLE}" WHERE ${ended} ORDER BY "hour" LIMIT ${p(SPANS.length)})`;
}

/**
 * A nearest-rank percentile (rank 1-based, among `n`) from bin counts:
 * interpolated inside the bin holding the rank, capped at the longest latency.
 */
export function percentileFromBins(bins: readonly number[], rank: number, maxMs: number): number | null {
  if (rank < 1) return null;
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    const count = bins[i];
    if (count <= 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BINS[i - 1];
      const upper = i < LATENCY_BINS.length ? LATENCY_BINS[i] : Math.max(maxMs, lower);
      const value = lower + ((upper - lower) * (rank - seen)) / count;
      // Rounded up: latencies are whole ms, so the estimate stays inside the bin (lower, upper].
      return Math.min(Math.ceil(value), maxMs);
    }
    seen += count;
  }
  return null;
}
