/**
 * The request-log queries of the logs page, the usage summary and the
 * dashboard time series, checked against SQLite's query plans: each must read
 * through an index (a range or a lookup), never scan the whole table. Timing
 * tests would depend on the machine; plans do not (figures with 1M rows: README).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../server/db/generated/sqlite/index.js';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import type { Db } from '../../server/db/client.js';
import { listRequestLogs } from '../../server/graphql/types/logs.js';
import { usageSummary } from '../../server/graphql/types/usage.js';
import { toLogRow } from '../../server/observability/log-row.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { prismaReader, usageByBucket } from '../../server/observability/usage-sql.js';
import type { Services } from '../../server/services.js';

const DAY = 86_400_000;
let dir: string;
let file: string;
let db: Db;
let raw: Database.Database;
const captured: Array<{ query: string; params: unknown[] }> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plans-'));
  file = path.join(dir, 'plans.db');
  await applyPendingMigrations({ kind: 'sqlite', location: file });
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }), log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (e) => captured.push({ query: e.query, params: JSON.parse(e.params) }));
  db = client;
  // Enough rows, spread over 30 days, keys, models, providers and statuses, for the planner to have choices.
  const store = new SqliteLogStore(file);
  const now = Date.now();
  for (let b = 0; b < 10; b++) {
    await store.insert(
      Array.from({ length: 500 }, (_, i) => {
        const n = b * 500 + i;
        return toLogRow({
          at: new Date(now - (n % 30) * DAY - n * 1000),
          clientApi: 'chat-completions',
          keyId: `key-${n % 7}`,
          requestedModel: `model-${n % 5}`,
          providerId: `provider-${n % 3}`,
          attempts: 1,
          stream: false,
          status: n % 20 === 0 ? 502 : 200,
          errorClass: n % 20 === 0 ? 'upstream' : undefined,
          // Mostly empty, as in practice: their indexes hold only the rows with a value.
          teamId: n % 10 === 0 ? `team-${n % 3}` : undefined,
          endUser: n % 25 === 0 ? `user-${n % 4}` : undefined,
          latencyMs: n % 900,
          costUsd: 0.001,
        });
      }),
    );
  }
  await store.close();
  raw = new Database(file);
  raw.exec('ANALYZE');
});

afterAll(async () => {
  raw?.close();
  await db?.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work`, then returns the plan lines of every statement on RequestLog it sent. */
async function plansOf(work: () => Promise<unknown>): Promise<Array<{ query: string; plan: string[] }>> {
  captured.length = 0;
  await work();
  return (
    captured
      // Statements on the request log itself (the usage rollup's have their own checks: request-log-rollup.test.ts).
      .filter((c) => /RequestLog\b/.test(c.query) && /^\s*SELECT/i.test(c.query))
      .map((c) => ({
        query: c.query,
        plan: (raw.prepare(`EXPLAIN QUERY PLAN ${c.query}`).all(...(c.params as never[])) as Array<{ detail: string }>).map((r) => r.detail),
      }))
  );
}

/** Every access to RequestLog goes through an index (SEARCH, or an ordered SCAN of an index for the newest-first list). */
function expectIndexed(plans: Array<{ query: string; plan: string[] }>, expected: RegExp, aggregate = false) {
  expect(plans.length).toBeGreaterThan(0);
  if (process.env.SHOW_PLANS) for (const p of plans) console.log(p.query, '\n  ', p.plan.join('\n   '));
  for (const { query, plan } of plans) {
    const table = plan.filter((line) => /\bRequestLog\b/.test(line));
    expect(table.length, query).toBeGreaterThan(0);
    for (const line of table) expect(line, `${query}\n${plan.join('\n')}`).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
    // The expected index is the one the page itself reads (counts and aggregates may pick another index they can cover).
    const isPage = /ORDER BY .*LIMIT/.test(query) && !/COUNT\(/.test(query);
    if (isPage || aggregate) expect(table.join('\n'), `${query}\n${plan.join('\n')}`).toMatch(expected);
    // A page reads newest first in index order: no sort of the whole filtered set (ties on createdAt may be sorted by id).
    if (isPage) expect(plan.join('\n'), query).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  }
}

const services = () => ({ db, dbTarget: { kind: 'sqlite' as const, location: file } }) as unknown as Services;

describe('request log queries use indexes (SQLite query plans)', () => {
  it('indexes of mostly empty columns hold only the rows with a value', () => {
    const count = (index: string) =>
      (raw.prepare(`SELECT COUNT(*) AS n FROM "RequestLog" INDEXED BY "${index}" WHERE "${index.split('_')[1]}" IS NOT NULL`).get() as { n: number }).n;
    const partial = raw.prepare(`SELECT name FROM pragma_index_list('RequestLog') WHERE partial = 1 ORDER BY name`).all() as Array<{ name: string }>;
    expect(partial.map((p) => p.name)).toEqual(['RequestLog_endUser_createdAt_idx', 'RequestLog_errorClass_createdAt_idx', 'RequestLog_teamId_createdAt_idx']);
    expect(count('RequestLog_teamId_createdAt_idx')).toBe(500);
    expect(count('RequestLog_endUser_createdAt_idx')).toBe(200);
  });

  it('the logs page, newest first, and its keyset next page', async () => {
    const first = await listRequestLogs(services(), {}, { first: 50 });
    expect(first.edges).toHaveLength(50);
    expectIndexed(await plansOf(() => listRequestLogs(services(), {}, { first: 50 })), /RequestLog_createdAt_id_idx/);
    expectIndexed(await plansOf(() => listRequestLogs(services(), {}, { first: 50, after: first.pageInfo.endCursor! })), /RequestLog_createdAt_id_idx/);
  });

  it.each([
    ['key', { keyId: 'key-3' }, /RequestLog_virtualKeyId_createdAt_idx/],
    ['model', { model: 'model-2' }, /RequestLog_requestedModel_createdAt_idx/],
    ['provider', { providerId: 'provider-1' }, /RequestLog_providerId_createdAt_idx/],
    ['error class', { errorClass: 'upstream' }, /RequestLog_errorClass_createdAt_idx/],
    ['team', { teamId: 'team-1' }, /RequestLog_teamId_createdAt_idx/],
    ['end user', { endUser: 'user-2' }, /RequestLog_endUser_createdAt_idx/],
    ['status', { status: 502 }, /RequestLog_status_createdAt_idx/],
    ['time range', { from: new Date(Date.now() - 2 * DAY), to: new Date() }, /RequestLog_createdAt_id_idx/],
  ] as const)('the logs page filtered by %s', async (_name, filter, index) => {
    const page = await listRequestLogs(services(), filter, { first: 50 });
    expect(page.edges.length).toBeGreaterThan(0);
    expectIndexed(await plansOf(() => listRequestLogs(services(), filter, { first: 50 })), index);
  });

  it('the usage summary (grouped by model, and for one key) and the dashboard time series', async () => {
    const scope = { from: new Date(Date.now() - 7 * DAY), to: new Date() };
    const summary = await usageSummary(services(), 'MODEL', scope);
    expect(summary.total.requests).toBeGreaterThan(0);
    expectIndexed(await plansOf(() => usageSummary(services(), 'MODEL', scope)), /RequestLog_\w*createdAt\w*_idx/, true);
    expectIndexed(await plansOf(() => usageSummary(services(), 'KEY', { ...scope, keyId: 'key-1' })), /RequestLog_virtualKeyId_createdAt_idx/, true);
    captured.length = 0;
    const series = await usageByBucket(prismaReader(db), 'sqlite', 3_600, { from: new Date(Date.now() - DAY), to: new Date() });
    expect(series.length).toBeGreaterThan(0);
    // The statement on the log (a scope this small is read raw, after a count on the rollup).
    const statement = captured.filter((c) => /RequestLog\b/.test(c.query)).at(-1)!;
    const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${statement.query}`).all(...(statement.params as never[])) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/SEARCH RequestLog USING INDEX RequestLog_\w*createdAt\w*_idx \(.*createdAt>\? AND createdAt<\?\)/);
  });
});
