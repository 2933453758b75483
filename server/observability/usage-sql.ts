import type { Db } from '../db/client.js';
import type { DbKind } from '../db/target.js';
import { BIN_COLUMNS, HOUR_MS, LATENCY_BINS, percentileFromBins, ROLLUP_TABLE } from '../db/usage-rollup.js';

/** Runs one read-only SQL statement with positional parameters. */
export interface SqlReader {
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
}

/** Reads through the gateway's Prisma client (PostgreSQL: asynchronous driver). */
export function prismaReader(db: Db): SqlReader {
  return { query: (sql, params) => db.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...params) };
}

/**
 * The SQL of the usage aggregates, for SQLite and PostgreSQL alike: one
 * statement per grouping (by key, model or provider, by time bucket, or over
 * everything) with counts, sums and latency percentiles together. They run
 * through a `SqlReader`: on SQLite a worker thread of its own, so a long
 * aggregate over a month of logs never blocks the event loop.
 *
 * Percentiles use the nearest-rank method: in a group of n latencies sorted
 * ascending, P(p) is the value at rank ceil(p·n) (1-based). Ranks come from
 * ROW_NUMBER() / COUNT(*) window functions partitioned by the group, in one
 * pass over the rows of the time range (WHERE on the indexed createdAt).
 * ceil is written with integer division ((p·n + 99) / 100 for p in percent)
 * so the same text runs on both databases.
 *
 * A scope of more than RAW_ROWS_MAX requests (counted first on the rollup's
 * hour and day rows, a few rows) reads the rollup (usage-rollup.ts): its day
 * rows for the whole UTC days inside the range, its hour rows for the whole
 * hours around them, and the raw rows only for the partial hours at either
 * edge, in the same statement (UNION ALL): counts, token and cost sums stay
 * exact; P50 / P95 then come from the latency histogram (the edge rows are
 * binned the same way), estimated within one bin. Smaller scopes, minute
 * buckets, and anything by end user or tag (not rollup dimensions) read the
 * raw rows as before, with exact percentiles.
 */

export type UsageGroupColumn = 'virtualKeyId' | 'requestedModel' | 'providerId' | 'teamId' | 'endUser';

/** A grouping: one column, or each tag of a request (a request with two tags counts in both groups). */
export type UsageGrouping = UsageGroupColumn | 'tag';

export interface UsageScope {
  from: Date;
  to: Date;
  keyId?: string | null;
  model?: string | null;
  providerId?: string | null;
  teamId?: string | null;
  endUser?: string | null;
  /** Only requests carrying this tag. */
  tag?: string | null;
}

export interface UsageRow {
  /** Group value (column grouping) or bucket start in epoch seconds (time grouping). */
  group: string | number | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Response cache hits, and what they would have cost upstream. */
  cacheHits: number;
  costSavedUsd: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

/** Numbers come back as bigint (COUNT), Decimal-like (PG SUM) or number; all become numbers. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- PostgreSQL SUMs arrive as Decimal objects, whose toString is their digits
  return Number(String(value));
}
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : num(value));

/** Builds positional parameters in the dialect's placeholder style. */
class Params {
  readonly values: unknown[] = [];
  constructor(readonly kind: DbKind) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.kind === 'postgres' ? `$${this.values.length}` : '?';
  }
}

function whereClause(scope: UsageScope, params: Params): string {
  const parts = [`"createdAt" >= ${params.add(scope.from)}`, `"createdAt" < ${params.add(scope.to)}`];
  if (scope.keyId) parts.push(`"virtualKeyId" = ${params.add(scope.keyId)}`);
  if (scope.model) parts.push(`"requestedModel" = ${params.add(scope.model)}`);
  if (scope.providerId) parts.push(`"providerId" = ${params.add(scope.providerId)}`);
  if (scope.teamId) parts.push(`"teamId" = ${params.add(scope.teamId)}`);
  if (scope.endUser) parts.push(`"endUser" = ${params.add(scope.endUser)}`);
  if (scope.tag) {
    const tag = params.add(scope.tag);
    parts.push(
      params.kind === 'postgres'
        ? `"tags" IS NOT NULL AND CAST("tags" AS jsonb) @> jsonb_build_array(CAST(${tag} AS text))`
        : `"tags" IS NOT NULL AND EXISTS (SELECT 1 FROM json_each("tags") WHERE json_each.value = ${tag})`,
    );
  }
  return parts.join(' AND ');
}

/** The tags of each row as a joined table `tg(value)`: rows without tags drop out of a by-tag grouping. */
function tagJoin(kind: DbKind): string {
  return kind === 'postgres' ? `CROSS JOIN LATERAL jsonb_array_elements_text(CAST("tags" AS jsonb)) AS tg(value)` : `, json_each("tags") AS tg`;
}

/** Bucket index expression: whole seconds since the epoch (UTC), divided by the bucket length. */
function bucketExpression(kind: DbKind, seconds: number): string {
  const epoch = kind === 'postgres' ? `CAST(FLOOR(EXTRACT(EPOCH FROM "createdAt")) AS BIGINT)` : `CAST(strftime('%s', "createdAt") AS INTEGER)`;
  return `(${epoch} / ${Math.trunc(seconds)})`;
}

const RANKS = `
  MAX(CASE WHEN rn = (n + 1) / 2 THEN "latencyMs" END) AS p50,
  MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN "latencyMs" END) AS p95`;

/** groupExpr null: one group over the whole scope. */
function ranked(groupExpr: string | null, columns: string, where: string, join = ''): string {
  const partition = groupExpr === null ? '' : `PARTITION BY ${groupExpr}`;
  return `SELECT ${groupExpr ?? 'NULL'} AS g, ${columns} "latencyMs",
      ROW_NUMBER() OVER (${partition} ORDER BY "latencyMs") AS rn,
      COUNT(*) OVER (${partition}) AS n
    FROM "RequestLog" ${join} WHERE ${where}`;
}

const AGGREGATES = `
      COUNT(*) AS requests,
      SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
      SUM("inputTokens") AS input, SUM("outputTokens") AS output,
      SUM("cachedTokens") AS cached, SUM("reasoningTokens") AS reasoning,
      SUM("costUsd") AS cost,
      SUM(CASE WHEN "cache" = 'hit' THEN 1 ELSE 0 END) AS hits, SUM("costSavedUsd") AS saved,`;
const AGGREGATED_COLUMNS = `status, "inputTokens", "outputTokens", "cachedTokens", "reasoningTokens", "costUsd", "cache", "costSavedUsd",`;

function usageRow(r: Record<string, unknown>, group: string | number | null): UsageRow {
  return {
    group,
    requests: num(r.requests),
    errors: num(r.errors),
    inputTokens: num(r.input),
    outputTokens: num(r.output),
    cachedTokens: num(r.cached),
    reasoningTokens: num(r.reasoning),
    costUsd: num(r.cost),
    cacheHits: num(r.hits),
    costSavedUsd: num(r.saved),
    p50LatencyMs: numOrNull(r.p50),
    p95LatencyMs: numOrNull(r.p95),
  };
}

/** Scopes of at most this many requests read the raw rows: exact percentiles, still a short read through an index. */
export const RAW_ROWS_MAX = 5_000;

/** rollup: unset, the rollup when the scope is over RAW_ROWS_MAX requests; true, whenever it can answer; false, never (tests compare them). */
export interface UsageReadOptions {
  rollup?: boolean;
}

/** The whole hours [first, end) the rollup answers for, and the whole days [dayFirst, dayEnd) among them (in hours); null: the raw rows must. */
interface RollupHours {
  first: number;
  end: number;
  dayFirst: number;
  dayEnd: number;
}

function rollupHours(scope: UsageScope, grouping: UsageGrouping | null, bucketSeconds: number | null, options: UsageReadOptions): RollupHours | null {
  if (options.rollup === false || scope.endUser || scope.tag || grouping === 'endUser' || grouping === 'tag') return null;
  if (bucketSeconds !== null && bucketSeconds % 3600 !== 0) return null;
  const first = Math.ceil(scope.from.getTime() / HOUR_MS);
  const end = Math.floor(scope.to.getTime() / HOUR_MS);
  if (first >= end) return null;
  // Day rows fit where a bucket holds whole days (or there are no buckets).
  const days = bucketSeconds === null || bucketSeconds % 86_400 === 0;
  const dayFirst = Math.ceil(first / 24) * 24;
  const dayEnd = Math.floor(end / 24) * 24;
  return days && dayFirst < dayEnd ? { first, end, dayFirst, dayEnd } : { first, end, dayFirst: end, dayEnd: end };
}

/** The rollup rows of one span whose first hour is in [from, to), within a scope's dimension filters. */
function rollupWhere(scope: UsageScope, params: Params, span: number, from: number, to: number): string {
  const dims = { virtualKeyId: scope.keyId, requestedModel: scope.model, providerId: scope.providerId, teamId: scope.teamId };
  // Parameters are added in text order: SQLite's `?` placeholders are positional.
  const where = [`"span" = ${span}`, `"hour" >= ${params.add(from)}`, `"hour" < ${params.add(to)}`];
  for (const [column, value] of Object.entries(dims)) if (value) where.push(`"${column}" = ${params.add(value)}`);
  return where.join(' AND ');
}

/**
 * Whether the rollup should answer: always with `rollup: true`, else when the
 * scope holds more than RAW_ROWS_MAX requests, counted on the rollup rows
 * around it (the partial hours at the edges in full: an upper bound).
 */
async function worthRollup(reader: SqlReader, kind: DbKind, scope: UsageScope, options: UsageReadOptions): Promise<boolean> {
  if (options.rollup === true) return true;
  const params = new Params(kind);
  const first = Math.floor(scope.from.getTime() / HOUR_MS);
  const end = Math.ceil(scope.to.getTime() / HOUR_MS);
  const dayFirst = Math.min(Math.ceil(first / 24) * 24, end);
  const dayEnd = Math.max(Math.floor(end / 24) * 24, dayFirst);
  const part = (span: number, from: number, to: number) =>
    `SELECT SUM("requests") AS n FROM "${ROLLUP_TABLE}" WHERE ${rollupWhere(scope, params, span, from, to)}`;
  const parts = dayFirst < dayEnd ? [part(1, first, dayFirst), part(24, dayFirst, dayEnd), part(1, dayEnd, end)] : [part(1, first, end)];
  const [row] = await reader.query(`SELECT SUM(n) AS n FROM (${parts.join(' UNION ALL ')}) t`, params.values);
  return num(row?.n) > RAW_ROWS_MAX;
}

/** The histogram bin of a raw row's latency, as one 0/1 column per bin (the same bins as the rollup). */
const RAW_BINS = BIN_COLUMNS.map((name, i) => {
  const upper = i < LATENCY_BINS.length ? `"latencyMs" <= ${LATENCY_BINS[i]}` : '';
  const lower = i > 0 ? `"latencyMs" > ${LATENCY_BINS[i - 1]}` : '';
  return `CASE WHEN ${[lower, upper].filter(Boolean).join(' AND ')} THEN 1 ELSE 0 END AS ${name}`;
}).join(', ');
const RAW_MEASURES = `1 AS requests, CASE WHEN status >= 400 THEN 1 ELSE 0 END AS errors,
      "inputTokens" AS input, "outputTokens" AS output, "cachedTokens" AS cached, "reasoningTokens" AS reasoning,
      "costUsd" AS cost, CASE WHEN "cache" = 'hit' THEN 1 ELSE 0 END AS hits, "costSavedUsd" AS saved, "latencyMs" AS lmax, ${RAW_BINS}`;
const ROLLUP_MEASURES = `"requests" AS requests, "errors" AS errors,
      "inputTokens" AS input, "outputTokens" AS output, "cachedTokens" AS cached, "reasoningTokens" AS reasoning,
      "costUsd" AS cost, "cacheHits" AS hits, "costSavedUsd" AS saved, "latencyMaxMs" AS lmax, ${BIN_COLUMNS.join(', ')}`;
const SUMMED = `SUM(requests) AS requests, SUM(errors) AS errors, SUM(input) AS input, SUM(output) AS output,
      SUM(cached) AS cached, SUM(reasoning) AS reasoning, SUM(cost) AS cost, SUM(hits) AS hits, SUM(saved) AS saved,
      MAX(lmax) AS lmax, ${BIN_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')}`;

/**
 * One statement over the rollup's whole hours and the raw rows of the partial
 * hours at the edges; `group` gives the grouping expression on each table.
 */
function rollupStatement(kind: DbKind, scope: UsageScope, hours: RollupHours, group: { rollup: string; raw: string }) {
  const params = new Params(kind);
  const rollup = (span: number, from: number, to: number) =>
    `SELECT ${group.rollup} AS g, ${ROLLUP_MEASURES} FROM "${ROLLUP_TABLE}" WHERE ${rollupWhere(scope, params, span, from, to)}`;
  const raw = (from: Date, to: Date) => `SELECT ${group.raw} AS g, ${RAW_MEASURES} FROM "RequestLog" WHERE ${whereClause({ ...scope, from, to }, params)}`;
  const branches = [
    rollup(1, hours.first, hours.dayFirst),
    ...(hours.dayFirst < hours.dayEnd ? [rollup(24, hours.dayFirst, hours.dayEnd), rollup(1, hours.dayEnd, hours.end)] : []),
    raw(scope.from, new Date(hours.first * HOUR_MS)),
    raw(new Date(hours.end * HOUR_MS), scope.to),
  ];
  // Rollup rows emptied by deletes (their log rows gone) leave no group behind.
  const sql = `SELECT g, ${SUMMED} FROM (${branches.join('\n      UNION ALL ')}) t GROUP BY g HAVING SUM(requests) > 0`;
  return { sql, params: params.values };
}

/** A rollup statement's row: sums as usual, percentiles (nearest rank) estimated from the summed histogram. */
function rollupUsageRow(r: Record<string, unknown>, group: string | number | null): UsageRow {
  const row = usageRow({ ...r, p50: null, p95: null }, group);
  const bins = BIN_COLUMNS.map((c) => num(r[c]));
  const n = row.requests;
  const max = num(r.lmax);
  return {
    ...row,
    p50LatencyMs: percentileFromBins(bins, Math.floor((n + 1) / 2), max),
    p95LatencyMs: percentileFromBins(bins, Math.floor((95 * n + 99) / 100), max),
  };
}

const groupKey = (g: string | number | bigint | null | undefined) => (g === null || g === undefined ? null : String(g));

/** Every aggregate per value of one column, or over the whole scope with column null (one row, or none when empty). */
export async function usageByColumn(
  reader: SqlReader,
  kind: DbKind,
  column: UsageGrouping | null,
  scope: UsageScope,
  options: UsageReadOptions = {},
): Promise<UsageRow[]> {
  const hours = rollupHours(scope, column, null, options);
  if (hours && (await worthRollup(reader, kind, scope, options))) {
    const group = column === null ? { rollup: 'NULL', raw: 'NULL' } : { rollup: `NULLIF("${column}", '')`, raw: `"${column}"` };
    const { sql, params } = rollupStatement(kind, scope, hours, group);
    return (await reader.query(sql, params)).map((r) => rollupUsageRow(r, groupKey(r.g as string | number | bigint | null)));
  }
  const params = new Params(kind);
  const where = whereClause(scope, params);
  const inner =
    column === 'tag' ? ranked('tg.value', AGGREGATED_COLUMNS, where, tagJoin(kind)) : ranked(column === null ? null : `"${column}"`, AGGREGATED_COLUMNS, where);
  const sql = `SELECT g, ${AGGREGATES} ${RANKS}
    FROM (${inner}) t
    GROUP BY g`;
  const rows = await reader.query(sql, params.values);
  return rows.map((r) => usageRow(r, groupKey(r.g as string | number | bigint | null)));
}

/** Every aggregate per time bucket (bucket start in epoch seconds), oldest first. Empty buckets are absent. */
export async function usageByBucket(
  reader: SqlReader,
  kind: DbKind,
  bucketSeconds: number,
  scope: UsageScope,
  options: UsageReadOptions = {},
): Promise<UsageRow[]> {
  const hours = rollupHours(scope, null, bucketSeconds, options);
  if (hours && (await worthRollup(reader, kind, scope, options))) {
    const group = { rollup: `("hour" / ${Math.trunc(bucketSeconds / 3600)})`, raw: bucketExpression(kind, bucketSeconds) };
    const { sql, params } = rollupStatement(kind, scope, hours, group);
    const rows = (await reader.query(sql, params)).map((r) => rollupUsageRow(r, num(r.g) * bucketSeconds));
    return rows.sort((a, b) => (a.group as number) - (b.group as number));
  }
  const params = new Params(kind);
  const sql = `SELECT g, ${AGGREGATES} ${RANKS}
    FROM (${ranked(bucketExpression(kind, bucketSeconds), AGGREGATED_COLUMNS, whereClause(scope, params))}) t
    GROUP BY g ORDER BY g`;
  const rows = await reader.query(sql, params.values);
  return rows.map((r) => usageRow(r, num(r.g) * bucketSeconds));
}
