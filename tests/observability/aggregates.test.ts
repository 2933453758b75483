import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.js';
import { usageSummary, usageTimeseries } from '../../server/graphql/types/usage.js';
import { toLogRow } from '../../server/observability/log-row.js';
import type { Services } from '../../server/services.js';
import type { TestGateway } from '../support/gateway.js';
import { openAIError } from '../support/mock-upstreams/openai-chat.js';
import { allLogs, chat, hello, pool, startTraffic, type Traffic } from './helpers.js';
import { createKey } from '../support/admin.js';
import { PG_ADMIN_URL } from '../support/postgres.js';
import { skipUnlessServices } from '../support/services.js';
import { prismaRow } from '../support/log-rows.js';

const HOUR = 3_600_000;

/** Nearest rank: the value at rank ceil(p·n) of the ascending list. */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p * sorted.length) / 100) - 1];
}

function expectedStats(rows: any[]) {
  return {
    requests: rows.length,
    errors: rows.filter((r) => r.status >= 400).length,
    inputTokens: rows.reduce((s, r) => s + r.inputTokens, 0),
    outputTokens: rows.reduce((s, r) => s + r.outputTokens, 0),
    cachedTokens: rows.reduce((s, r) => s + r.cachedTokens, 0),
    reasoningTokens: rows.reduce((s, r) => s + r.reasoningTokens, 0),
    costUsd: rows.reduce((s, r) => s + r.costUsd, 0),
    p50LatencyMs: nearestRank(
      rows.map((r) => r.latencyMs),
      50,
    ),
    p95LatencyMs: nearestRank(
      rows.map((r) => r.latencyMs),
      95,
    ),
  };
}

function expectStats(actual: any, rows: any[]) {
  const e = expectedStats(rows);
  const { costUsd, ...exact } = e;
  expect(actual).toMatchObject(exact);
  expect(actual.costUsd).toBeCloseTo(costUsd, 9);
  if ('errorRate' in actual) expect(actual.errorRate).toBeCloseTo(e.requests ? e.errors / e.requests : 0, 9);
}

const STATS = 'requests errors errorRate inputTokens outputTokens cachedTokens reasoningTokens costUsd p50LatencyMs p95LatencyMs';
/** STATS as the API answers them (the fields the tests read by name; expectStats compares the rest). */
type Stats = { requests: number; p50LatencyMs: number | null };

/** Synthetic rows over the last hours, with spread latencies, several keys, models and providers. */
async function seed(gw: TestGateway, now: number): Promise<void> {
  const rows = Array.from({ length: 240 }, (_, i) =>
    toLogRow({
      at: new Date(now - (i % 5) * HOUR - (i % 17) * 60_000 - 1000),
      clientApi: i % 3 === 0 ? 'messages' : 'chat-completions',
      keyId: `key-${i % 3}`,
      keyName: `seed key ${i % 3}`,
      requestedModel: ['alpha', 'beta', 'gamma', 'delta'][i % 4],
      modelId: `model-${i % 4}`,
      providerId: `prov-${i % 2}`,
      providerName: `seed-provider-${i % 2}`,
      attempts: 1,
      stream: i % 2 === 0,
      status: i % 11 === 0 ? 500 : i % 13 === 0 ? 429 : 200,
      latencyMs: (i * 37) % 1009,
      usage: { inputTokens: i, outputTokens: i % 50, cachedInputTokens: i % 7, reasoningTokens: i % 3 },
      costUsd: i * 0.000125,
    }),
  );
  // A row outside the range, which no aggregate may count.
  rows.push(
    toLogRow({
      at: new Date(now - 30 * HOUR),
      clientApi: 'chat-completions',
      keyId: 'key-0',
      requestedModel: 'alpha',
      attempts: 1,
      stream: false,
      status: 200,
      latencyMs: 99999,
      costUsd: 5,
    }),
  );
  await gw.services.db.requestLog.createMany({ data: rows.map(prismaRow) });
}

async function checkAggregates(gw: TestGateway, from: Date, to: Date): Promise<void> {
  const rows = await allLogs(gw, { from: from.toISOString(), to: to.toISOString() });
  expect(rows.length).toBeGreaterThan(100);

  for (const [groupBy, field] of [
    ['KEY', 'keyId'],
    ['MODEL', 'requestedModel'],
    ['PROVIDER', 'providerId'],
  ] as const) {
    const { usageSummary } = await gw.admin<{ usageSummary: { groupBy: string; total: Stats; groups: Array<Stats & { key: string | null }> } }>(
      `query($f: DateTime!, $t: DateTime!, $g: UsageGroupBy!){ usageSummary(from: $f, to: $t, groupBy: $g) { groupBy total { ${STATS} } groups { key label ${STATS} } } }`,
      { f: from.toISOString(), t: to.toISOString(), g: groupBy },
    );
    expect(usageSummary.groupBy).toBe(groupBy);
    expectStats(usageSummary.total, rows);
    const keys = [...new Set(rows.map((r) => r[field] as string | null))];
    expect(usageSummary.groups.map((g) => g.key).sort()).toEqual([...keys].sort());
    for (const group of usageSummary.groups)
      expectStats(
        group,
        rows.filter((r) => r[field] === group.key),
      );
    const counts = usageSummary.groups.map((g) => g.requests);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  }

  const { usageTimeseries } = await gw.admin<{ usageTimeseries: Array<Stats & { at: string }> }>(
    `query($f: DateTime!, $t: DateTime!){ usageTimeseries(from: $f, to: $t, bucket: HOUR) { at ${STATS} } }`,
    {
      f: from.toISOString(),
      t: to.toISOString(),
    },
  );
  const firstBucket = Math.floor(from.getTime() / HOUR) * HOUR;
  expect(usageTimeseries.length).toBe(Math.ceil((to.getTime() - firstBucket) / HOUR));
  for (const [i, point] of usageTimeseries.entries()) {
    const start = firstBucket + i * HOUR;
    expect(Date.parse(point.at)).toBe(start);
    expectStats(
      point,
      rows.filter((r) => Date.parse(r.createdAt) >= start && Date.parse(r.createdAt) < start + HOUR),
    );
  }
  expect(usageTimeseries.reduce((s, p) => s + p.requests, 0)).toBe(rows.length);

  // Filters narrow both queries the same way.
  const model = rows.find((r) => r.requestedModel)!.requestedModel;
  const filtered = await gw.admin<{ usageSummary: { total: Stats }; usageTimeseries: Stats[] }>(
    `query($f: DateTime!, $t: DateTime!, $m: String){ usageSummary(from: $f, to: $t, groupBy: KEY, model: $m) { total { ${STATS} } }
      usageTimeseries(from: $f, to: $t, bucket: DAY, model: $m) { requests } }`,
    { f: from.toISOString(), t: to.toISOString(), m: model },
  );
  expectStats(
    filtered.usageSummary.total,
    rows.filter((r) => r.requestedModel === model),
  );
  expect(filtered.usageTimeseries.reduce((s, p) => s + p.requests, 0)).toBe(rows.filter((r) => r.requestedModel === model).length);
}

describe('usage aggregates (SQLite)', () => {
  let t: Traffic;
  const now = Date.now();
  beforeAll(async () => {
    t = await startTraffic();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('match the raw rows, for real traffic and seeded history', async () => {
    const other = await createKey(t.gw, { name: 'app-two' });
    t.oai.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 503, body: openAIError(503) });
    await pool(24, 6, (i) => chat(t.gw, i % 2 ? t.key : other.key, { ...hello(), stream: i % 3 === 0 }));
    await chat(t.gw, other.key, hello('missing-model'));
    await t.gw.services.requestLogs.flush();
    await seed(t.gw, now);
    await checkAggregates(t.gw, new Date(now - 6 * HOUR), new Date(now + HOUR));

    // Groups are labelled with key names (and prefixes).
    const { usageSummary } = await t.gw.admin<{ usageSummary: { groups: Array<{ key: string | null; label: string }> } }>(
      'query($f: DateTime!, $t: DateTime!){ usageSummary(from: $f, to: $t, groupBy: KEY) { groups { key label } } }',
      {
        f: new Date(now - HOUR).toISOString(),
        t: new Date(now + HOUR).toISOString(),
      },
    );
    expect(usageSummary.groups.find((g) => g.key === other.id)?.label).toMatch(/^app-two \(sk-gw-/);
  });

  it('rejects a bad range and too many buckets', async () => {
    const bad = await t.gw.gql(
      '{ usageSummary(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z", groupBy: MODEL) { total { requests } } }',
      undefined,
      await t.gw.adminToken(),
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const many = await t.gw.gql(
      '{ usageTimeseries(from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", bucket: MINUTE) { requests } }',
      undefined,
      await t.gw.adminToken(),
    );
    expect(many.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await t.gw.admin<{ usageTimeseries: Stats[] }>(
      '{ usageTimeseries(from: "2020-01-01T00:00:00Z", to: "2020-01-01T00:05:00Z", bucket: MINUTE) { at requests p50LatencyMs } }',
    );
    expect(empty.usageTimeseries).toHaveLength(5);
    expect(empty.usageTimeseries.every((p) => p.requests === 0 && p.p50LatencyMs === null)).toBe(true);
  });
});

// Same aggregates on PostgreSQL (the server tests/support/postgres.ts names). The
// schema is created from the committed PostgreSQL migrations; the aggregate
// functions run on the real client. Skips with a printed line without PostgreSQL
// (fails in CI).
const pgUrl = PG_ADMIN_URL;
const noPostgres = await skipUnlessServices('usage aggregates (PostgreSQL)', { postgres: true });
describe.skipIf(noPostgres)('usage aggregates (PostgreSQL)', () => {
  const name = `obs_test_${process.pid}_${Date.now()}`;
  let db: Db;
  const admin = () => new pg.Client({ connectionString: pgUrl });
  beforeAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    const schema = new pg.Client({ connectionString: url.toString() });
    await schema.connect();
    for (const dir of readdirSync('prisma/postgres/migrations', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()) {
      await schema.query(readFileSync(`prisma/postgres/migrations/${dir}/migration.sql`, 'utf8'));
    }
    await schema.end();
    db = await openDatabase({ kind: 'postgres', location: url.toString() });
  }, 60_000);
  afterAll(async () => {
    await db?.$disconnect();
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  it('match the raw rows', async () => {
    const now = Date.now();
    const services = { db, dbTarget: { kind: 'postgres', location: '' } } as unknown as Services;
    await seed({ services } as TestGateway, now);
    const from = new Date(now - 6 * HOUR);
    const to = new Date(now + HOUR);
    const rows = (await db.requestLog.findMany({ where: { createdAt: { gte: from, lt: to } } })).map((r) => ({
      ...r,
      keyId: r.virtualKeyId,
      createdAt: r.createdAt.toISOString(),
    }));
    expect(rows.length).toBe(240);
    for (const [groupBy, field] of [
      ['KEY', 'keyId'],
      ['MODEL', 'requestedModel'],
      ['PROVIDER', 'providerId'],
    ] as const) {
      const summary = await usageSummary(services, groupBy, { from, to });
      expectStats(summary.total, rows);
      expect(summary.groups.map((g) => g.key).sort()).toEqual([...new Set(rows.map((r) => r[field]))].sort());
      for (const group of summary.groups)
        expectStats(
          group,
          rows.filter((r) => r[field] === group.key),
        );
    }
    const points = await usageTimeseries(services, 'HOUR', { from, to });
    const first = Math.floor(from.getTime() / HOUR) * HOUR;
    for (const [i, point] of points.entries()) {
      const start = first + i * HOUR;
      expect(point.at.getTime()).toBe(start);
      expectStats(
        point,
        rows.filter((r) => Date.parse(r.createdAt) >= start && Date.parse(r.createdAt) < start + HOUR),
      );
    }
    expect(points.reduce((s, p) => s + p.requests, 0)).toBe(240);
  });
});
