import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, type Gateway, type StartOptions } from '../../server/app.js';
import { loadConfig } from '../../server/config/env.js';
import { databaseNameFor, dropDatabase, ensureDatabase, postgresUnavailable } from './postgres.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery';

export interface TestGateway extends Gateway {
  dataDir: string;
  /** Logs in as the bootstrap admin and returns the JWT. */
  adminToken(): Promise<string>;
  /** POSTs a GraphQL operation; returns the parsed JSON body. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<{ data?: T; errors?: any[] }>;
  /** Like gql but throws on errors and returns data; uses the admin token by default. */
  admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/** TEST_DB=postgres runs every gateway of the suite on a fresh PostgreSQL database instead of SQLite. */
export const TEST_DB = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** One PostgreSQL database per data folder, so a restart on the same folder finds its data. */
async function postgresFor(dataDir: string): Promise<{ url: string; name: string }> {
  const down = await postgresUnavailable();
  if (down) throw new Error(`TEST_DB=postgres but PostgreSQL is unreachable: ${down}`);
  const name = databaseNameFor(dataDir);
  return { url: await ensureDatabase(name), name };
}

/**
 * Starts a real gateway on a random port with a temporary SQLite database
 * (TEST_DB=postgres: a fresh PostgreSQL database, dropped on stop).
 * `env` overrides environment variables (e.g. DATABASE_URL for PostgreSQL runs).
 */
export async function startTestGateway(env: Record<string, string> = {}, reuseDataDir?: string, options: StartOptions = {}): Promise<TestGateway> {
  const dataDir = reuseDataDir ?? mkdtempSync(path.join(tmpdir(), 'gateway-test-'));
  const postgres = TEST_DB === 'postgres' && env.DATABASE_URL === undefined ? await postgresFor(dataDir) : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DB_PATH: path.join(dataDir, 'gateway.db'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...env,
  });
  const gateway = await startGateway(config, options);
  if (postgres && gateway.services.dbTarget.kind !== 'postgres') throw new Error('TEST_DB=postgres but the gateway did not start on PostgreSQL');
  let token: string | undefined;

  const gql: TestGateway['gql'] = async (query, variables, authToken) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authToken) headers.authorization = `Bearer ${authToken}`;
    const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as any;
  };
  const adminToken = async () => {
    if (token) return token;
    const result = await gql<{ login: { token: string } }>(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
      { e: ADMIN_EMAIL, p: ADMIN_PASSWORD },
    );
    if (!result.data) throw new Error(`admin login failed: ${JSON.stringify(result.errors)}`);
    token = result.data.login.token;
    return token;
  };
  return {
    ...gateway,
    dataDir,
    gql,
    adminToken,
    admin: async (query, variables) => {
      const result = await gql(query, variables, await adminToken());
      if (result.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    stop: async () => {
      await gateway.close();
      if (!reuseDataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        if (postgres) await dropDatabase(postgres.name);
      }
    },
  };
}
