import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPendingMigrations } from '../../server/db/migrate.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { openSqlite, unique } from './helpers.js';
import { createModel, createProvider } from '../support/admin.js';

const root = path.resolve(import.meta.dirname, '../..');
const committedMigrations = readdirSync(path.join(root, 'prisma/migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

// One table per domain object of the data model (prisma/schema.prisma).
const DOMAIN_TABLES = [
  'User',
  'Provider',
  'Model',
  'VirtualModel',
  'VirtualModelTarget',
  'PromptRule',
  'VirtualKey',
  'RequestLog',
  'HealthTarget',
  'HealthRun',
  'Setting',
];

interface MigrationRow {
  id: string;
  migration_name: string;
  started_at: number | string;
  finished_at: number | string | null;
  applied_steps_count: number;
}

function migrationRows(dataDir: string): MigrationRow[] {
  const db = openSqlite(dataDir);
  try {
    return db
      .prepare('SELECT id, migration_name, started_at, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name')
      .all() as MigrationRow[];
  } finally {
    db.close();
  }
}

describe('database migrations', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-migrations-'));
  const dbFile = path.join(dataDir, 'nested', 'gateway.db');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('has at least one committed migration to apply', () => {
    expect(committedMigrations.length).toBeGreaterThan(0);
  });

  describe('on an empty database', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      expect(existsSync(dbFile)).toBe(false);
      // DB_PATH in a folder that does not exist yet: the gateway must create it.
      gateway = await startTestGateway({ DB_PATH: dbFile }, dataDir);
    });
    afterAll(() => gateway?.stop());

    it('creates the database file (and its folder) and every domain table', () => {
      expect(existsSync(dbFile)).toBe(true);
      const db = openSqlite(path.dirname(dbFile));
      try {
        const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
        expect(tables).toEqual(expect.arrayContaining([...DOMAIN_TABLES, '_prisma_migrations']));
      } finally {
        db.close();
      }
    });

    it('records every committed migration as finished in _prisma_migrations', () => {
      const rows = migrationRows(path.dirname(dbFile));
      expect(rows.map((r) => r.migration_name)).toEqual(committedMigrations);
      for (const row of rows) {
        expect(row.finished_at).not.toBeNull();
        expect(row.applied_steps_count).toBeGreaterThan(0);
      }
    });

    it('serves queries against the migrated schema', async () => {
      const data = await gateway.admin<{ overview: unknown }>('{ overview { providers models virtualKeys users } }');
      expect(data.overview).toEqual({ providers: 0, models: 0, virtualKeys: 0, users: 1 });
    });
  });

  describe('on restart with an existing database', () => {
    const restartDir = mkdtempSync(path.join(tmpdir(), 'gateway-restart-'));
    const providerKey = `sk-restart-${unique('key')}-0123456789abcdef`;
    let providerId: string;
    let modelName: string;
    let tokenBeforeRestart: string;
    let rowsBefore: MigrationRow[];
    let jwtSecretBefore: string;
    let encryptionKeyBefore: string;
    let second: TestGateway;

    beforeAll(async () => {
      const first = await startTestGateway({}, restartDir);
      try {
        tokenBeforeRestart = await first.adminToken();
        providerId = await createProvider(first, { name: unique('survivor'), type: 'openai', baseUrl: 'https://api.example.test/v1', apiKey: providerKey });
        modelName = unique('model');
        await createModel(first, providerId, modelName, 'gpt-test');
        expect(first.services.snapshot.current.providersById.get(providerId)?.apiKey).toBe(providerKey);
      } finally {
        await first.stop();
      }
      rowsBefore = migrationRows(restartDir);
      jwtSecretBefore = readFileSync(path.join(restartDir, 'jwt-secret'), 'utf8');
      encryptionKeyBefore = readFileSync(path.join(restartDir, 'encryption-key'), 'utf8');
      second = await startTestGateway({}, restartDir);
    });
    afterAll(async () => {
      await second?.stop();
      rmSync(restartDir, { recursive: true, force: true });
    });

    it('keeps the data written before the restart', async () => {
      const data = await second.admin<{ provider: unknown }>('query($id: ID!) { provider(id: $id) { id hasApiKey models { name } } }', { id: providerId });
      expect(data.provider).toEqual({ id: providerId, hasApiKey: true, models: [{ name: modelName }] });
    });

    it('does not re-run migrations that are already applied', async () => {
      const rowsAfter = migrationRows(restartDir);
      // Same rows, same ids and timestamps: nothing was applied a second time.
      expect(rowsAfter).toEqual(rowsBefore);
      expect(await applyPendingMigrations(second.services.dbTarget)).toEqual([]);
    });

    it('keeps the generated secrets in the data folder', () => {
      expect(jwtSecretBefore.trim().length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(path.join(restartDir, 'jwt-secret'), 'utf8')).toBe(jwtSecretBefore);
      expect(readFileSync(path.join(restartDir, 'encryption-key'), 'utf8')).toBe(encryptionKeyBefore);
    });

    it('accepts a JWT issued before the restart', async () => {
      const result = await second.gql<{ me: { role: string } }>('{ me { email role } }', undefined, tokenBeforeRestart);
      expect(result.errors).toBeUndefined();
      expect(result.data?.me.role).toBe('admin');
    });

    it('still decrypts a provider key stored before the restart', () => {
      const entry = second.services.snapshot.current.providersById.get(providerId);
      expect(entry).toBeDefined();
      expect(entry!.apiKey).toBe(providerKey);
    });

    it('does not create a second admin on restart', async () => {
      const data = await second.admin<{ users: unknown[] }>('{ users { email } }');
      expect(data.users).toHaveLength(1);
    });
  });
});
