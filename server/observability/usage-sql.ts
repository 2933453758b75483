import type { Db, DbKind } from '../db/client.js';

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

/** Every aggregate per value of one column, or over the whole scope with column null (one row, or none when empty). */
export async function usageByColumn(reader: SqlReader, kind: DbKind, column: UsageGrouping | null, scope: UsageScope): Promise<UsageRow[]> {
  const params = new Params(kind);
  const where = whereClause(scope, params);
  const inner =
    column === 'tag' ? ranked('tg.value', AGGREGATED_COLUMNS, where, tagJoin(kind)) : ranked(column === null ? null : `"${column}"`, AGGREGATED_COLUMNS, where);
  const sql = `SELECT g, ${AGGREGATES} ${RANKS}
    FROM (${inner}) t
    GROUP BY g`;
  const rows = await reader.query(sql, params.values);
  return rows.map((r) => usageRow(r, r.g === null || r.g === undefined ? null : String(r.g as string | number | bigint)));
}

/** Every aggregate per time bucket (bucket start in epoch seconds), oldest first. Empty buckets are absent. */
export async function usageByBucket(reader: SqlReader, kind: DbKind, bucketSeconds: number, scope: UsageScope): Promise<UsageRow[]> {
  const params = new Params(kind);
  const sql = `SELECT g, ${AGGREGATES} ${RANKS}
    FROM (${ranked(bucketExpression(kind, bucketSeconds), AGGREGATED_COLUMNS, whereClause(scope, params))}) t
    GROUP BY g ORDER BY g`;
  const rows = await reader.query(sql, params.values);
  return rows.map((r) => usageRow(r, num(r.g) * bucketSeconds));
}
