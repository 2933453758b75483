import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { startTestGateway } from '../support/gateway.js';
import { skipUnlessServices } from '../support/services.js';
import { createKey } from '../support/admin.js';
import { chatRequest, freshDatabase, setupPricedModel } from './support.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const folders = (dir: string) =>
  readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const skip = await skipUnlessServices('PostgreSQL storage tests', { postgres: true });

(skip ? describe.skip : describe)('PostgreSQL migrations at start-up', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  test('two instances starting together on an empty database apply each migration once, recorded as Prisma does', async () => {
    const db = await freshDatabase('migrations');
    drops.push(db.drop);
    const [one, two] = await Promise.all([startTestGateway({ DATABASE_URL: db.url }), startTestGateway({ DATABASE_URL: db.url })]);
    try {
      const rows = await query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        applied_steps_count: number;
        rolled_back_at: Date | null;
      }>(db.url, 'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name');
      const committed = folders('prisma/postgres/migrations');
      expect(rows.map((r) => r.migration_name)).toEqual(committed);
      for (const row of rows) {
        expect(row.checksum).toBe(sha256(path.join(root, 'prisma/postgres/migrations', row.migration_name, 'migration.sql')));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
      expect(await applyPendingMigrations(one.services.dbTarget)).toEqual([]);
      expect((await two.admin<{ overview: { users: number } }>('{ overview { users } }')).overview.users).toBe(1);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  test('our checksum is the one Prisma writes (compared on SQLite, where Prisma applies them)', async () => {
    const gw = await startTestGateway();
    try {
      const sqlite = new Database(path.join(gw.dataDir, 'gateway.db'), { readonly: true });
      const rows = sqlite.prepare('SELECT migration_name, checksum FROM _prisma_migrations').all() as Array<{ migration_name: string; checksum: string }>;
      sqlite.close();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.checksum).toBe(sha256(path.join(root, 'prisma/migrations', row.migration_name, 'migration.sql')));
    } finally {
      await gw.stop();
    }
  });

  test('a migration left unfinished stops start-up with a clear message', async () => {
    const db = await freshDatabase('failed-migration');
    drops.push(db.drop);
    const gw = await startTestGateway({ DATABASE_URL: db.url });
    await gw.stop();
    await query(db.url, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = '${folders('prisma/postgres/migrations').at(-1)}'`);
    await expect(startTestGateway({ DATABASE_URL: db.url })).rejects.toThrow(/did not finish on this database/);
  });
});

(skip ? describe.skip : describe)('npm run db:migrate-to-postgres', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  const migrate = (from: string, to: string) =>
    run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/migrate-to-postgres.ts'), '--from', from, '--to', to], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '' },
    });

  test('copies a populated SQLite database with the same row counts, and the gateway works on the result', async () => {
    const mock = await startOpenAIChatMock();
    const secrets = { JWT_SECRET: 'copy-test-jwt-secret-0123456789abcdefgh', ENCRYPTION_KEY: 'copy-test-encryption-key-0123456789abcd' };
    // Populate: providers, models, a virtual model with targets, keys, request logs, settings.
    const source = await startTestGateway({ ...secrets, REQUEST_LOG_FLUSH_MS: '50' });
    const { modelId } = await setupPricedModel(source, mock.url);
    await source.admin('mutation($i: CreateVirtualModelInput!){createVirtualModel(input:$i){id}}', {
      i: { name: 'vm', strategy: 'FAILOVER', targets: [{ modelId, weight: 1, priority: 0 }] },
    });
    const key = await createKey(source, { rpmLimit: 50, budgetUsd: 10, budgetPeriod: 'total' });
    for (let i = 0; i < 5; i++) expect((await chatRequest(source.url, key.key)).status).toBe(200);
    await source.admin('mutation { updateSettings(input: { monitoringEnabled: false }) { monitoringEnabled } }');
    const dataDir = source.dataDir;
    await source.close(); // flushes the log rows; keeps the folder
    const file = path.join(dataDir, 'gateway.db');
    const sqlite = new Database(file, { readonly: true });
    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    const counts = Object.fromEntries(tables.map((t) => [t, (sqlite.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    sqlite.close();
    expect(counts.RequestLog).toBe(5);

    const db = await freshDatabase('copy');
    drops.push(db.drop);
    const { stdout } = await migrate(file, db.url);
    expect(stdout).toMatch(/row counts verified/);
    for (const table of tables) {
      const [row] = await query<{ n: string }>(db.url, `SELECT COUNT(*) AS n FROM "${table}"`);
      expect({ table, rows: Number(row.n) }).toEqual({ table, rows: counts[table] });
    }

    const target = await startTestGateway({ ...secrets, DATABASE_URL: db.url });
    try {
      // Same admin (password hash copied), same key (hash copied), same provider key (ciphertext copied).
      expect((await target.admin<{ overview: unknown }>('{ overview { providers models virtualKeys users } }')).overview).toMatchObject({
        providers: 1,
        models: 1,
        users: 1,
      });
      const res = await chatRequest(target.url, key.key);
      expect(res.status).toBe(200);
      expect(mock.requests.at(-1)?.headers.authorization).toBe('Bearer upstream-secret-key');
      expect((await chatRequest(target.url, key.key, 'vm')).status).toBe(200);
    } finally {
      await target.stop();
      await mock.close();
    }

    // A second copy into the now populated database is refused, naming the table.
    await expect(migrate(file, db.url)).rejects.toMatchObject({ stderr: expect.stringMatching(/target database is not empty: table \w+ has \d+ rows/) });
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('clear errors for a missing source and an unreachable target', async () => {
    await expect(migrate('/nonexistent/gateway.db', 'postgres://postgres@127.0.0.1:5432/postgres')).rejects.toMatchObject({
      stderr: expect.stringContaining('SQLite database not found'),
    });
    const gw = await startTestGateway();
    try {
      await expect(migrate(path.join(gw.dataDir, 'gateway.db'), 'postgres://postgres@127.0.0.1:1/none')).rejects.toMatchObject({
        stderr: expect.stringContaining('cannot connect to PostgreSQL'),
      });
    } finally {
      await gw.stop();
    }
  });
});
