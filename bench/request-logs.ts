/**
 * Request logs at scale: seeds N rows (default 1,000,000, over the last 30
 * days, 20 keys, 10 models, 3 providers, 5% errors) into a fresh database,
 * starts a gateway on it and times what the admin UI asks for: the dashboard
 * query, the usage summary over 30 days (from the hourly rollup), the usage
 * history series, the logs page (first page, a deep keyset page, filtered).
 * Median of 5 runs each, in ms.
 *
 *   npx tsx bench/request-logs.ts [--rows 1000000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 *
 * With --postgres, a database `gateway_bench_logs` is created on that server
 * (dropped first if it exists) and used. Results: bench/results/request-logs-<db>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startGateway } from '../server/app.js';
import { loadConfig } from '../server/config/env.js';
import { applyPendingMigrations } from '../server/db/migrate.js';
import { openDatabase } from '../server/db/client.js';
import type { DbTarget } from '../server/db/target.js';
import { prismaLogStore } from '../server/observability/log-insert.js';
import { toLogRow } from '../server/observability/log-row.js';
import type { LogStore } from '../server/observability/log-store.js';
import { SqliteLogStore } from '../server/observability/sqlite-log-store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const ROWS = Number(arg('--rows') ?? 1_000_000);
const PG_SERVER = arg('--postgres');
const DAY = 86_400_000;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function prepareTarget(): Promise<{ target: DbTarget; cleanup: () => Promise<void> }> {
  if (!PG_SERVER) {
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-logs-bench-'));
    return { target: { kind: 'sqlite', location: path.join(dir, 'gateway.db') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new pg.Client({ connectionString: PG_SERVER });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS gateway_bench_logs');
  await admin.query('CREATE DATABASE gateway_bench_logs');
  await admin.end();
  const url = new URL(PG_SERVER);
  url.pathname = '/gateway_bench_logs';
  return {
    target: { kind: 'postgres', location: url.toString() },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: PG_SERVER });
      await c.connect();
      await c.query('DROP DATABASE IF EXISTS gateway_bench_logs WITH (FORCE)');
      await c.end();
    },
  };
}

async function seed(store: LogStore, rows: number): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  const batch = 1_000;
  for (let done = 0; done < rows; done += batch) {
    const n = Math.min(batch, rows - done);
    await store.insert(
      Array.from({ length: n }, (_, j) => {
        const i = done + j;
        const failed = i % 20 === 0;
        return toLogRow({
          // Evenly over 30 days, newest last.
          at: new Date(now - 30 * DAY + Math.floor((i / rows) * 30 * DAY)),
          clientApi: i % 3 === 0 ? 'messages' : 'chat-completions',
          keyId: `key-${i % 20}`,
          keyName: `key ${i % 20}`,
          requestedModel: `model-${i % 10}`,
          modelId: `m-${i % 10}`,
          providerId: `provider-${i % 3}`,
          providerName: `provider ${i % 3}`,
          attempts: 1,
          stream: i % 2 === 0,
          status: failed ? 502 : 200,
          errorClass: failed ? 'upstream' : undefined,
          errorMessage: failed ? 'the provider answered 502' : undefined,
          latencyMs: 200 + (i % 1_800),
          ttftMs: 80 + (i % 400),
          usage: { inputTokens: 100 + (i % 900), outputTokens: 20 + (i % 300) },
          costUsd: 0.0004 + (i % 10) * 0.0001,
          userAgent: 'bench/1.0',
        });
      }),
    );
    if (done % 100_000 === 0 && done > 0) log(`  seeded ${done.toLocaleString('en')} rows`);
  }
  return (performance.now() - started) / 1000;
}

async function median(run: () => Promise<unknown>, times = 5): Promise<number> {
  const ms: number[] = [];
  await run(); // warm-up (query plans, caches)
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)];
}

async function main(): Promise<void> {
  const { target, cleanup } = await prepareTarget();
  try {
    log(`${target.kind}: migrating and seeding ${ROWS.toLocaleString('en')} request log rows…`);
    await applyPendingMigrations(target);
    const db = await openDatabase(target);
    const store = target.kind === 'sqlite' ? new SqliteLogStore(target.location) : prismaLogStore(db, target.kind);
    const seedSeconds = await seed(store, ROWS);
    await store.close();
    if (target.kind === 'postgres') await db.$executeRawUnsafe('ANALYZE "RequestLog", "RequestLogRollup"');
    else await db.$executeRawUnsafe('ANALYZE');
    await db.$disconnect();

    const gateway = await startGateway(
      loadConfig({
        ...process.env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: 'bench@example.com',
        ADMIN_PASSWORD: 'bench-password-123',
        DB_PATH: target.kind === 'sqlite' ? target.location : path.join(tmpdir(), 'unused.db'),
        DATABASE_URL: target.kind === 'postgres' ? target.location : '',
        REDIS_URL: '',
        REQUEST_LOG_RETENTION_DAYS: '0',
      }),
    );
    try {
      const gql = async <T = unknown>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> => {
        const res = await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { data: T; errors?: unknown[] };
        if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
        return body.data;
      };
      const { login } = await gql<{ login: { token: string } }>('mutation { login(email: "bench@example.com", password: "bench-password-123") { token } }');
      const q = <T = unknown>(query: string, variables: Record<string, unknown> = {}) => gql<T>(query, variables, login.token);
      const now = new Date();
      const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const hour = new Date(now.getTime() - 3_600_000);
      const metrics = 'total { requests errors costUsd p50LatencyMs p95LatencyMs } groups { key requests costUsd p95LatencyMs }';

      // A cursor 20 pages deep, for the keyset figure.
      let deep: string | null = null;
      for (let i = 0; i < 20; i++)
        deep = (
          await q<{ requestLogs: { pageInfo: { endCursor: string | null } } }>(
            'query($a: String){ requestLogs(first: 50, after: $a) { pageInfo { endCursor } } }',
            {
              a: deep,
            },
          )
        ).requestLogs.pageInfo.endCursor;

      const figures: Record<string, number> = {
        'dashboard (today by model and key, last hour by provider, minute series)': await median(() =>
          q(
            `query($t: DateTime!, $h: DateTime!, $to: DateTime!) {
              models: usageSummary(from: $t, to: $to, groupBy: MODEL) { ${metrics} }
              keys: usageSummary(from: $t, to: $to, groupBy: KEY) { groups { key requests } }
              providers: usageSummary(from: $h, to: $to, groupBy: PROVIDER) { groups { key requests } }
              series: usageTimeseries(bucket: MINUTE, from: $h, to: $to) { at requests p95LatencyMs }
            }`,
            { t: today.toISOString(), h: hour.toISOString(), to: now.toISOString() },
          ),
        ),
        'usage summary, 30 days by model': await median(() =>
          q(`query($f: DateTime!, $to: DateTime!){ usageSummary(from: $f, to: $to, groupBy: MODEL) { ${metrics} } }`, {
            f: new Date(now.getTime() - 30 * DAY).toISOString(),
            to: now.toISOString(),
          }),
        ),
        'usage summary, 7 days for one key': await median(() =>
          q(`query($f: DateTime!, $to: DateTime!){ usageSummary(from: $f, to: $to, groupBy: MODEL, keyId: "key-3") { ${metrics} } }`, {
            f: new Date(now.getTime() - 7 * DAY).toISOString(),
            to: now.toISOString(),
          }),
        ),
        'usage history, 30 days by day (series)': await median(() =>
          q(`query($f: DateTime!, $to: DateTime!){ usageTimeseries(bucket: DAY, from: $f, to: $to) { at requests costUsd p95LatencyMs } }`, {
            f: new Date(now.getTime() - 30 * DAY).toISOString(),
            to: now.toISOString(),
          }),
        ),
        'logs page, first page (50)': await median(() =>
          q('{ requestLogs(first: 50) { pageInfo { hasNextPage endCursor } nodes { id createdAt status requestedModel latencyMs } } }'),
        ),
        'logs page, 21st page by cursor': await median(() =>
          q('query($a: String){ requestLogs(first: 50, after: $a) { pageInfo { hasNextPage } nodes { id } } }', { a: deep }),
        ),
        'logs page filtered by model and 5xx': await median(() =>
          q('{ requestLogs(first: 50, filter: { model: "model-3", statusClass: "5xx" }) { pageInfo { hasNextPage } nodes { id } } }'),
        ),
      };
      const result = { db: target.kind, rows: ROWS, seedSeconds, at: new Date().toISOString(), node: process.version, medianMs: figures };
      mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
      writeFileSync(path.join(ROOT, `bench/results/request-logs-${target.kind}.json`), `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(
        `\n${target.kind}, ${ROWS.toLocaleString('en')} rows (seeded in ${seedSeconds.toFixed(0)} s), median of 5:\n\n| query | ms |\n| --- | ---: |\n`,
      );
      for (const [name, ms] of Object.entries(figures)) process.stdout.write(`| ${name} | ${ms.toFixed(0)} |\n`);
    } finally {
      await gateway.close();
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
