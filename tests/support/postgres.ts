import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

/** Maintenance connection of the test PostgreSQL server (trust auth). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every database this run creates starts with this, so teardown finds leftovers. */
export const runDatabasePrefix = () => (process.env.TEST_PG_RUN ??= `gwtest_${randomBytes(3).toString('hex')}`);

export function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL suites cannot run, or undefined when the server answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A database name for a key (e.g. a test's data folder), unique to this run. */
export function databaseNameFor(key: string): string {
  return `${runDatabasePrefix()}_${createHash('sha1').update(key).digest('hex').slice(0, 12)}`;
}

/** Creates the database unless it exists; returns its URL. */
export async function ensureDatabase(name: string): Promise<string> {
  await withAdmin(async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await c.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops every database of this run (global teardown: covers suites that reuse a data folder). */
export async function dropRunDatabases(prefix: string): Promise<void> {
  await withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'", [prefix]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
