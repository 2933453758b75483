import type { RequestLogRow } from '../core/request-log-row.js';
import type { DbKind } from './target.js';

/**
 * The rollup of the request log (table "RequestLogRollup"): one row per UTC
 * hour, and one per UTC day (`span` 1 or 24 hours, `hour` its first hour),
 * × virtual key × requested model × provider × team with the
 * additive measures of usage (requests, errors, token and cost sums, cache
 * hits), the longest latency and a fixed-bin latency histogram. It is kept in
 * the transaction of every change: an insert adds to the row's hour and day
 * (upsert with additions), a delete takes away from them. So the rollup equals
 * the raw rows whichever way they were written. PostgreSQL: triggers
 * (migration 20261203070000_request_log_rollup), the insert trigger once per
 * statement from its transition table. SQLite: the delete trigger of that
 * migration; inserts by the request-log writer add their batch's sums
 * themselves (rollupDeltas, one upsert per rollup row), and inserts on the
 * gateway's Prisma connection go through a per-row TEMP trigger made when the
 * connection opens (rollupInsertTriggerSql). A permanent SQLite insert
 * trigger cost the writer about a quarter of its time per row even when it
 * did nothing, and SQLite cannot switch one off for a connection. The longest
 * latency is not lowered by deletes: it only caps the percentile estimate,
 * which stays in the right bin either way.
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

/** Upper bounds (inclusive, ms) of the latency bins; one more bin holds everything above the last. The migration's triggers use the same. */
export const LATENCY_BINS: readonly number[] = [
  10, 20, 30, 40, 50, 65, 80, 100, 125, 150, 175, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1_000, 1_250, 1_500, 1_750, 2_000, 2_500, 3_000, 3_500,
  4_000, 5_000, 6_000, 7_000, 8_000, 10_000, 12_500, 15_000, 20_000, 25_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000, 300_000,
];
export const BIN_COUNT = LATENCY_BINS.length + 1;
/** Histogram column names: h00 … h47. */
export const BIN_COLUMNS = Array.from({ length: BIN_COUNT }, (_, i) => `h${String(i).padStart(2, '0')}`);

export const DIMENSIONS = ['virtualKeyId', 'requestedModel', 'providerId', 'teamId'] as const;
const SUMS = ['requests', 'errors', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'costUsd', 'cacheHits', 'costSavedUsd'] as const;
/** Columns of the rollup, in table order. */
export const ROLLUP_COLUMNS = ['span', 'hour', ...DIMENSIONS, ...SUMS, 'latencyMaxMs', ...BIN_COLUMNS] as const;

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

/**
 * Retention: the rollup keeps what the log keeps. Deleting old log rows takes
 * them out of their rollup rows (trigger); the pruner then deletes, in bounded
 * batches beside the log's own, the rollup rows whose whole span is before the
 * cutoff (the hour and the day holding the cutoff stay until they have passed).
 * Parameters of rollupPruneSql: the last first hour to delete per span, and
 * the batch size.
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

const KEY_COLUMNS = ['span', 'hour', ...DIMENSIONS] as const;

/**
 * What a batch of log rows adds to the rollup: one row per rollup row touched
 * (span × first hour × dimensions), values in ROLLUP_COLUMNS order, the same
 * sums the insert trigger adds row by row.
 */
export function rollupDeltas(rows: readonly RequestLogRow[]): Array<Array<string | number>> {
  // Per dimension tuple, per (span, first hour) as one number: one key string per row, nothing else allocated
  // for a row that adds to rollup rows already seen in the batch (this runs on the event loop).
  const byDims = new Map<string, Map<number, Array<string | number>>>();
  const out: Array<Array<string | number>> = [];
  const sumsAt = KEY_COLUMNS.length;
  const maxAt = sumsAt + SUMS.length;
  for (const row of rows) {
    const hour = Math.floor(row.createdAt.getTime() / HOUR_MS);
    // The DIMENSIONS, in their order.
    const dims = `${row.virtualKeyId ?? ''}\u0000${row.requestedModel ?? ''}\u0000${row.providerId ?? ''}\u0000${row.teamId ?? ''}`;
    let spans = byDims.get(dims);
    if (!spans) byDims.set(dims, (spans = new Map<number, Array<string | number>>()));
    const bin = maxAt + 1 + latencyBin(row.latencyMs);
    for (let s = 0; s < SPANS.length; s++) {
      const span = SPANS[s];
      const first = Math.floor(hour / span) * span;
      const slot = first * SPANS.length + s;
      let delta = spans.get(slot);
      if (!delta) {
        delta = [span, first, ...DIMENSIONS.map((d) => row[d] ?? ''), ...EMPTY_MEASURES];
        spans.set(slot, delta);
        out.push(delta);
      }
      for (let i = 0; i < SUMS.length; i++) (delta[sumsAt + i] as number) += SUM_OF[SUMS[i]](row);
      delta[maxAt] = Math.max(delta[maxAt] as number, row.latencyMs);
      (delta[bin] as number) += 1;
    }
  }
  return out;
}

/** What one log row adds to each sum of its rollup rows: the same the insert trigger adds (addedByNewRow). */
const SUM_OF: Record<(typeof SUMS)[number], (row: RequestLogRow) => number> = {
  requests: () => 1,
  errors: (row) => (row.status >= 400 ? 1 : 0),
  inputTokens: (row) => row.inputTokens,
  outputTokens: (row) => row.outputTokens,
  cachedTokens: (row) => row.cachedTokens,
  reasoningTokens: (row) => row.reasoningTokens,
  costUsd: (row) => row.costUsd,
  cacheHits: (row) => (row.cache === 'hit' ? 1 : 0),
  costSavedUsd: (row) => row.costSavedUsd,
};
/** The measures of a new rollup row: the sums, the longest latency and the bins, all zero. */
const EMPTY_MEASURES: readonly number[] = [...SUMS.map(() => 0), 0, ...BIN_COLUMNS.map(() => 0)];

const q = (column: string) => `"${column}"`;

/** SQLite: the upsert adding one row of values (SQL expressions in ROLLUP_COLUMNS order) to its rollup row. */
function rollupUpsert(values: readonly string[]): string {
  const added = [...SUMS, ...BIN_COLUMNS].map((c) => `${q(c)} = "${ROLLUP_TABLE}".${q(c)} + excluded.${q(c)}`);
  return (
    `INSERT INTO "${ROLLUP_TABLE}" (${ROLLUP_COLUMNS.map(q).join(', ')}) VALUES (${values.join(', ')}) ` +
    `ON CONFLICT (${KEY_COLUMNS.map(q).join(', ')}) DO UPDATE SET ${added.join(', ')}, ` +
    `"latencyMaxMs" = MAX("${ROLLUP_TABLE}"."latencyMaxMs", excluded."latencyMaxMs")`
  );
}

/** SQLite: adds one rollupDeltas row to its rollup row (parameters in ROLLUP_COLUMNS order). */
export function rollupUpsertSql(): string {
  return rollupUpsert(ROLLUP_COLUMNS.map(() => '?'));
}

/** What one inserted row (NEW) adds, per column of the rollup, for a span: the sums rollupDeltas adds per row. */
function addedByNewRow(span: number): string[] {
  const seconds = `CAST(strftime('%s', NEW."createdAt") AS INTEGER)`;
  const sums: Record<(typeof SUMS)[number], string> = {
    requests: '1',
    errors: `CASE WHEN NEW."status" >= 400 THEN 1 ELSE 0 END`,
    inputTokens: 'NEW."inputTokens"',
    outputTokens: 'NEW."outputTokens"',
    cachedTokens: 'NEW."cachedTokens"',
    reasoningTokens: 'NEW."reasoningTokens"',
    costUsd: 'NEW."costUsd"',
    cacheHits: `CASE WHEN NEW."cache" = 'hit' THEN 1 ELSE 0 END`,
    costSavedUsd: 'NEW."costSavedUsd"',
  };
  const bins = BIN_COLUMNS.map((_, i) => {
    const above = i === 0 ? '' : `NEW."latencyMs" > ${LATENCY_BINS[i - 1]}`;
    const within = i < LATENCY_BINS.length ? `NEW."latencyMs" <= ${LATENCY_BINS[i]}` : '';
    return `CASE WHEN ${[above, within].filter(Boolean).join(' AND ')} THEN 1 ELSE 0 END`;
  });
  return [
    String(span),
    `${seconds} / ${span * 3600} * ${span}`,
    ...DIMENSIONS.map((d) => `COALESCE(NEW.${q(d)}, '')`),
    ...SUMS.map((c) => sums[c]),
    'NEW."latencyMs"',
    ...bins,
  ];
}

/**
 * SQLite: the per-row insert trigger of the rollup as a TEMP trigger, so it
 * lives on one connection only (the gateway's Prisma connection), never on the
 * request-log writer's. Unqualified table names in a TEMP trigger resolve to
 * the main database.
 */
export function rollupInsertTriggerSql(): string {
  const statements = SPANS.map((span) => `${rollupUpsert(addedByNewRow(span))};`);
  return `CREATE TEMP TRIGGER IF NOT EXISTS "RequestLog_rollup_insert" AFTER INSERT ON main."RequestLog" BEGIN ${statements.join(' ')} END`;
}
