import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGateway, type Gateway, type StartOptions } from '../../server/app.js';
import { loadConfig } from '../../server/config/env.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminClient, postOperation, type GraphQLResult, type Variables } from './admin.js';
import { databaseNameFor, dropDatabase, ensureDatabase, postgresUnavailable } from './postgres.js';

export { ADMIN_EMAIL, ADMIN_PASSWORD };

export interface TestGateway extends Gateway {
  dataDir: string;
  /** Logs in as the bootstrap admin and returns the JWT. */
  adminToken(): Promise<string>;
  /** POSTs a GraphQL operation; returns the parsed JSON body (admin.ts `postOperation`; errors left loose for the suites' assertions). */
  gql<T = unknown>(query: string, variables?: Variables, token?: string | null): Promise<GraphQLResult<T>>;
  /** An operation as the bootstrap admin: throws on errors, returns data (admin.ts `adminClient`). */
  admin<T = unknown>(query: string, variables?: Variables): Promise<T>;
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
  const client = adminClient(gateway.url);
  return {
    ...gateway,
    dataDir,
    gql: (query, variables, token) => postOperation(gateway.url, query, variables, token),
    adminToken: client.token,
    admin: client.admin,
    stop: async () => {
      await gateway.close();
      if (!reuseDataDir) {
        rmSync(dataDir, { recursive: true, force: true });
        if (postgres) await dropDatabase(postgres.name);
      }
    },
  };
}
