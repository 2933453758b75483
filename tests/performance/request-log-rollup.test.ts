/**
 * The request-log rollup (hour and day rows, usage-rollup.ts) against the raw
 * rows it sums up, on a real database (SQLite; PostgreSQL with TEST_DB=postgres):
 * the rows the log stores write equal the migration's backfill of the same log;
 * usage read through the rollup (whole days and hours, raw rows at the edges)
 * equals usage read from the raw rows alone, exactly for counts and sums, and
 * in the same latency bin for P50 / P95; the statements read indexes; and
 * retention removes rollup rows of spans wholly before the cutoff, in batches.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import type { DbTarget } from '../../server/db/target.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { deleteInBatches } from '../../server/maintenance/retention.js';
import type { RequestLogRow } from '../../server/core/request-log-row.js';
import { toLogRow } from '../../server/observability/log-row.js';
import type { LogStore } from '../../server/observability/log-store.js';
import { PostgresLogStore } from '../../server/observability/pg-log-store.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { HOUR_MS, latencyBin, ROLLUP_COLUMNS } from '../../server/db/usage-rollup.js';
import {
  prismaReader,
  RAW_ROWS_MAX,
  usageByBucket,
  usageByColumn,
  type SqlReader,
  type UsageGrouping,
  type UsageRow,
  type UsageScope,
} from '../../server/observability/usage-sql.js';
import { dropDatabase, ensureDatabase } from '../support/postgres.js';
import { TEST_DB } from '../support/gateway.js';
import { prismaRow } from '../support/log-rows.js';

const DAY = 86_400_000;
const ROOT = path.resolve(import.meta.dirname, '../..');
const kind = TEST_DB;

// Fixed "now" on an awkward minute, so ranges start and end inside hours and days.
const NOW = Date.UTC(2026, 10, 20, 13, 37, 11, 250);
const KEYS = ['key-a', 'key-b', 'key-c', null];
const MODELS = ['gpt-x', 'claude-y', 'gemini-z', null];
const PROVIDERS = ['prov-1', 'prov-2', null];
const TEAMS = ['team-1', null];
// Latencies over every kind of bin: tiny, typical, long, and above the last bound (300 s).
const LATENCIES = [0, 3, 10, 11, 64, 99, 180, 240, 333, 512, 777, 950, 1_234, 2_600, 4_999, 9_000, 14_000, 31_000, 70_000, 200_000, 300_001, 512_345];

/** Rows over 12 days, every dimension mixed (primes, so combinations vary), some cache hits and errors. */
function makeRows(count: number, offset = 0): RequestLogRow[] {
  return Array.from({ length: count }, (_, j) => {
    const i = offset + j;
    return toLogRow({
      at: new Date(NOW - 12 * DAY + Math.floor(((i * 7_919) % count) * ((12 * DAY) / count)) + (i % 997)),
      clientApi: 'chat-completions',
      keyId: KEYS[i % 4] ?? undefined,
      requestedModel: MODELS[(i * 3) % 4] ?? undefined,
      providerId: PROVIDERS[i % 3] ?? undefined,
      teamId: TEAMS[(i >> 2) % 2] ?? undefined,
      endUser: `user-${i % 5}`,
      tags: i % 3 === 0 ? ['t1'] : undefined,
      attempts: 1,
      stream: false,
      status: i % 11 === 0 ? 502 : i % 13 === 0 ? 429 : 200,
      latencyMs: LATENCIES[(i * 5) % LATENCIES.length] + (i % 7),
      usage: { inputTokens: 10 + (i % 301), outputTokens: i % 97, cachedInputTokens: i % 4 === 0 ? 5 : 0, reasoningTokens: i % 6 },
      costUsd: 0.0001 * (1 + (i % 17)),
      cache: i % 9 === 0 ? 'hit' : undefined,
      costSavedUsd: i % 9 === 0 ? 0.002 : undefined,
    });
  });
}

let dir: string | undefined;
let pgName: string | undefined;
let target: DbTarget;
let db: Db;
let store: LogStore;
let reader: SqlReader & { close?: () => Promise<void> };
const sent: string[] = [];
let capturing: SqlReader;

beforeAll(async () => {
  if (kind === 'postgres') {
    pgName = `gwtest_rollup_${process.pid}_${Date.now()}`;
    target = { kind: 'postgres', location: await ensureDatabase(pgName) };
  } else {
    dir = mkdtempSync(path.join(tmpdir(), 'rollup-'));
    target = { kind: 'sqlite', location: path.join(dir, 'rollup.db') };
  }
  await applyPendingMigrations(target);
  db = await openDatabase(target);
  if (target.kind === 'postgres') {
    store = new PostgresLogStore(target.location);
    reader = prismaReader(db);
  } else {
    store = new SqliteLogStore(target.location);
    reader = new SqliteLogStore(target.location, { readonly: true });
  }
  capturing = {
    query: (sql, params) => {
      sent.push(sql);
      return reader.query(sql, params);
    },
  };
  // Batches of 400, the same (hour, key, …) in many of them: the upserts add up.
  const rows = makeRows(6_000);
  for (let i = 0; i < rows.length; i += 400) await store.insert(rows.slice(i, i + 400));
}, 60_000);

afterAll(async () => {
  await store?.close();
  await reader?.close?.();
  await db?.$disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (pgName) await dropDatabase(pgName);
});

const ORDER = ROLLUP_COLUMNS.slice(0, 6)
  .map((c) => `"${c}"`)
  .join(', ');
const rollupRows = (table: string) => db.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT * FROM "${table}" ORDER BY ${ORDER}`);

/** Numbers as numbers (bigint counts, Decimal sums), the dimensions as text. */
const plain = (r: Record<string, unknown>) =>
  Object.fromEntries(ROLLUP_COLUMNS.map((c) => [c, typeof r[c] === 'string' ? r[c] : Number(r[c] as number | bigint)]));

/** The rollup's non-empty rows equal the migration's backfill run over the log as it is now. */
async function expectRollupMatchesLog() {
  const migration = readFileSync(
    path.join(ROOT, kind === 'postgres' ? 'prisma/postgres/migrations' : 'prisma/migrations', '20261203070000_request_log_rollup/migration.sql'),
    'utf8',
  );
  const backfill = migration
    .split(/;\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.startsWith('INSERT INTO "RequestLogRollup"') && /FROM "RequestLog"\s+GROUP BY/.test(s));
  expect(backfill).toHaveLength(2);
  await db.$executeRawUnsafe('CREATE TABLE "RollupCheck" AS SELECT * FROM "RequestLogRollup" WHERE 1 = 0');
  try {
    for (const statement of backfill) await db.$executeRawUnsafe(statement.replace('INSERT INTO "RequestLogRollup"', 'INSERT INTO "RollupCheck"'));
    const written = (await rollupRows('RequestLogRollup')).filter((r) => Number(r.requests) > 0);
    const expected = await rollupRows('RollupCheck');
    expect(expected.length).toBeGreaterThan(0);
    // The longest latency is not lowered by deletes: at least the log's.
    written.forEach((r, i) => expect(Number(r.latencyMaxMs)).toBeGreaterThanOrEqual(Number(expected[i]?.latencyMaxMs)));
    const withoutMax = (rows: Array<Record<string, unknown>>) => rows.map((r) => ({ ...r, latencyMaxMs: 0 }));
    expectSameRows(withoutMax(written), withoutMax(expected));
  } finally {
    await db.$executeRawUnsafe('DROP TABLE "RollupCheck"');
  }
}

function expectSameRows(actual: Array<Record<string, unknown>>, expected: Array<Record<string, unknown>>) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const { costUsd, costSavedUsd, ...exact } = plain(a);
    const { costUsd: cost, costSavedUsd: saved, ...expectedExact } = plain(expected[i]);
    expect(exact).toEqual(expectedExact);
    expect(costUsd).toBeCloseTo(cost as number, 9);
    expect(costSavedUsd).toBeCloseTo(saved as number, 9);
  });
}

/** Counts and sums equal; each percentile in the same latency bin as the exact one. */
function expectSameUsage(rollup: UsageRow[], raw: UsageRow[], label: string) {
  const byGroup = new Map(raw.map((r) => [r.group, r]));
  expect(rollup.map((r) => r.group).sort(), label).toEqual(raw.map((r) => r.group).sort());
  for (const r of rollup) {
    const e = byGroup.get(r.group)!;
    const { costUsd, costSavedUsd, p50LatencyMs, p95LatencyMs, ...exact } = r;
    expect(exact, label).toEqual({
      group: e.group,
      requests: e.requests,
      errors: e.errors,
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      cachedTokens: e.cachedTokens,
      reasoningTokens: e.reasoningTokens,
      cacheHits: e.cacheHits,
    });
    expect(costUsd, label).toBeCloseTo(e.costUsd, 9);
    expect(costSavedUsd, label).toBeCloseTo(e.costSavedUsd, 9);
    expect(latencyBin(p50LatencyMs!), `${label} p50 ${p50LatencyMs} vs ${e.p50LatencyMs}`).toBe(latencyBin(e.p50LatencyMs!));
    expect(latencyBin(p95LatencyMs!), `${label} p95 ${p95LatencyMs} vs ${e.p95LatencyMs}`).toBe(latencyBin(e.p95LatencyMs!));
    expect(p95LatencyMs!).toBeGreaterThanOrEqual(p50LatencyMs!);
  }
}

const range = (fromMs: number, toMs: number): UsageScope => ({ from: new Date(fromMs), to: new Date(toMs) });
const SCOPES: Array<[string, UsageScope]> = [
  ['12 days', range(NOW - 12 * DAY - 5_000, NOW)],
  ['7 days', range(NOW - 7 * DAY, NOW)],
  ['25 h over a day boundary', range(NOW - 25 * HOUR_MS - 61_000, NOW - 17_000)],
  ['3 h inside a day', range(NOW - 3 * HOUR_MS - 123, NOW)],
  ['whole days exactly', range(Date.UTC(2026, 10, 12), Date.UTC(2026, 10, 18))],
  ['7 days, one key', { ...range(NOW - 7 * DAY, NOW), keyId: 'key-b' }],
  ['7 days, one model', { ...range(NOW - 7 * DAY, NOW), model: 'claude-y' }],
  ['7 days, one provider', { ...range(NOW - 7 * DAY, NOW), providerId: 'prov-2' }],
  ['7 days, one team, one key', { ...range(NOW - 7 * DAY, NOW), teamId: 'team-1', keyId: 'key-a' }],
];
const GROUPINGS: Array<UsageGrouping | null> = [null, 'virtualKeyId', 'requestedModel', 'providerId', 'teamId'];

describe(`request log rollup (${kind})`, () => {
  it('holds what the migration backfill computes from the same log (hours and days)', async () => {
    const written = await rollupRows('RequestLogRollup');
    expect(written.length).toBeGreaterThan(500);
    expect(new Set(written.map((r) => Number(r.span)))).toEqual(new Set([1, 24]));
    await expectRollupMatchesLog();
  });

  it.each(SCOPES)('usage summary over %s: the rollup equals the raw rows, for every grouping', async (label, scope) => {
    for (const grouping of GROUPINGS) {
      sent.length = 0;
      const rolled = await usageByColumn(capturing, kind, grouping, scope, { rollup: true });
      expect(sent.join('\n'), `${label} by ${grouping}`).toMatch(/"RequestLogRollup"/);
      sent.length = 0;
      const raw = await usageByColumn(capturing, kind, grouping, scope, { rollup: false });
      expect(sent.join('\n')).not.toMatch(/"RequestLogRollup"/);
      expect(raw.length).toBeGreaterThan(0);
      expectSameUsage(rolled, raw, `${label} by ${grouping}`);
    }
  });

  it('time series by hour and by day: the rollup equals the raw rows, bucket by bucket', async () => {
    for (const [bucket, scope] of [
      [3_600, range(NOW - 2 * DAY - 1_000, NOW)],
      [86_400, range(NOW - 12 * DAY, NOW)],
      [86_400, { ...range(NOW - 9 * DAY + 777, NOW - HOUR_MS / 2), model: 'gpt-x' }],
    ] as const) {
      sent.length = 0;
      const rolled = await usageByBucket(capturing, kind, bucket, scope, { rollup: true });
      expect(sent[0]).toMatch(bucket === 86_400 ? /"span" = 24/ : /"span" = 1/);
      const raw = await usageByBucket(capturing, kind, bucket, scope, { rollup: false });
      expectSameUsage(rolled, raw, `bucket ${bucket}`);
      expect(rolled.map((r) => r.group)).toEqual(raw.map((r) => r.group));
    }
  });

  it(`by default reads the rollup for scopes of more than ${RAW_ROWS_MAX} requests only (exact percentiles below)`, async () => {
    const all = range(NOW - 12 * DAY - 5_000, NOW);
    sent.length = 0;
    const big = await usageByColumn(capturing, kind, null, all);
    expect(big[0].requests).toBeGreaterThan(RAW_ROWS_MAX);
    expect(sent.at(-1)).toMatch(/"span" = 24/);
    const small = { ...range(NOW - 3 * DAY, NOW), keyId: 'key-a' };
    sent.length = 0;
    const exact = await usageByColumn(capturing, kind, 'requestedModel', small);
    expect(sent.at(-1)).not.toMatch(/"RequestLogRollup"/);
    expect(exact).toEqual(await usageByColumn(capturing, kind, 'requestedModel', small, { rollup: false }));
  });

  it('reads raw rows where the rollup cannot answer (end user, tag, minute buckets, short ranges)', async () => {
    const week = range(NOW - 7 * DAY, NOW);
    for (const read of [
      () => usageByColumn(capturing, kind, 'endUser', week),
      () => usageByColumn(capturing, kind, 'tag', week),
      () => usageByColumn(capturing, kind, 'requestedModel', { ...week, endUser: 'user-1' }),
      () => usageByColumn(capturing, kind, 'requestedModel', { ...week, tag: 't1' }),
      () => usageByBucket(capturing, kind, 60, range(NOW - 20 * HOUR_MS, NOW)),
      () => usageByColumn(capturing, kind, 'providerId', range(NOW - HOUR_MS, NOW), { rollup: true }),
    ]) {
      sent.length = 0;
      expect((await read()).length).toBeGreaterThan(0);
      expect(sent.join('\n')).not.toMatch(/"RequestLogRollup"/);
    }
  });

  it('reads the rollup and the edge rows through indexes', async () => {
    const scopes: UsageScope[] = [
      range(NOW - 12 * DAY - 5_000, NOW),
      { ...range(NOW - 7 * DAY, NOW), keyId: 'key-b' },
      { ...range(NOW - 7 * DAY, NOW), teamId: 'team-1' },
    ];
    for (const scope of scopes) {
      sent.length = 0;
      const params: unknown[][] = [];
      await usageByColumn({ query: (sql, p) => (params.push(p), capturing.query(sql, p)) }, kind, 'requestedModel', scope, { rollup: true });
      const plan = await explain(sent[0], params[0]);
      if (process.env.SHOW_PLANS) console.log(plan);
      if (kind === 'sqlite') {
        // Every access is an index search (hours/days by the primary key or a dimension index, edge rows by createdAt).
        expect(plan).toMatch(/SEARCH RequestLogRollup USING (COVERING )?INDEX/);
        expect(plan).toMatch(/SEARCH RequestLog USING (COVERING )?INDEX RequestLog_\w*createdAt\w*_idx/);
        expect(plan).not.toMatch(/SCAN RequestLog(Rollup)?\b/);
      } else {
        // With sequential scans priced out, PostgreSQL finds an index for every table access.
        expect(plan).toMatch(/Index (Only )?Scan .*on "?RequestLogRollup/);
        expect(plan).not.toMatch(/Seq Scan/);
      }
    }
  });

  it('follows rows written and deleted through Prisma too (database triggers)', async () => {
    const extra = makeRows(300, 50_000).map((r) => prismaRow({ ...r, rulesApplied: null }));
    await db.requestLog.createMany({ data: extra });
    await db.requestLog.deleteMany({ where: { virtualKeyId: 'key-c', createdAt: { gte: new Date(NOW - 4 * DAY), lt: new Date(NOW - 2 * DAY) } } });
    await db.requestLog.deleteMany({
      where: { requestedModel: 'gemini-z', createdAt: { gte: new Date(NOW - 9 * DAY - HOUR_MS / 3), lt: new Date(NOW - 9 * DAY) } },
    });
    await expectRollupMatchesLog();
    const scope = range(NOW - 10 * DAY, NOW);
    expectSameUsage(
      await usageByColumn(reader, kind, 'virtualKeyId', scope),
      await usageByColumn(reader, kind, 'virtualKeyId', scope, { rollup: false }),
      'after deletes',
    );
  });

  it('retention removes log rows and the rollup rows of spans wholly before the cutoff, in bounded batches', async () => {
    const cutoff = new Date(NOW - 5 * DAY + 30 * 60_000);
    const cutoffHour = Math.floor(cutoff.getTime() / HOUR_MS);
    const before = await rollupRows('RequestLogRollup');
    expect(before.some((r) => Number(r.hour) + Number(r.span) <= cutoffHour)).toBe(true);
    const batches: number[] = [];
    const removed = await deleteInBatches(
      async (limit) => {
        const n = await store.deleteBefore(cutoff, limit);
        batches.push(n);
        return n;
      },
      { rows: 100, pauseMs: 1 },
    );
    expect(removed).toBeGreaterThan(1_000);
    expect(Math.max(...batches)).toBe(100);
    const after = await rollupRows('RequestLogRollup');
    expect(after.filter((r) => Number(r.hour) + Number(r.span) <= cutoffHour)).toEqual([]);
    // The day and the hour holding the cutoff stay, with what is left of them.
    expect(after.some((r) => Number(r.span) === 1 && Number(r.hour) === cutoffHour && Number(r.requests) > 0)).toBe(true);
    expect(after.some((r) => Number(r.span) === 24 && Number(r.hour) <= cutoffHour && Number(r.hour) + 24 > cutoffHour)).toBe(true);
    await expectRollupMatchesLog();
    const scope = range(cutoff.getTime() - DAY, NOW);
    expectSameUsage(
      await usageByColumn(reader, kind, 'requestedModel', scope),
      await usageByColumn(reader, kind, 'requestedModel', scope, { rollup: false }),
      'after retention',
    );
  });
});

async function explain(sql: string, params: unknown[]): Promise<string> {
  if (kind === 'sqlite') {
    const rows = await db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
    return rows.map((r) => r.detail).join('\n');
  }
  const [, rows] = await db.$transaction([
    db.$executeRawUnsafe('SET LOCAL enable_seqscan = off'),
    db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${sql}`, ...params),
  ]);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
