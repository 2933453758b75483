import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase, type Db } from './client.js';
import type { DbTarget } from './target.js';
import { applyPostgresMigrations } from './postgres-migrations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

function migrationsDir(target: DbTarget): string {
  return path.join(root, target.kind === 'postgres' ? 'prisma/postgres/migrations' : 'prisma/migrations');
}

/** Migration folder names committed in the repository, oldest first. */
export function knownMigrations(target: DbTarget): string[] {
  return readdirSync(migrationsDir(target), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

async function appliedMigrations(db: Db): Promise<Set<string>> {
  try {
    const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    return new Set(rows.map((r) => r.migration_name));
  } catch {
    return new Set(); // table absent: a new database
  }
}

/**
 * Applies pending migrations: on SQLite with Prisma's own `migrate deploy` (run
 * only when something is pending, so an up-to-date restart costs one query); on
 * PostgreSQL with our runner (see postgres-migrations.ts for why). Call before
 * the gateway opens its own connection: SQLite lets one writer migrate.
 */
export async function applyPendingMigrations(target: DbTarget): Promise<string[]> {
  if (target.kind === 'postgres') return applyPostgresMigrations(target.location, migrationsDir(target), knownMigrations(target));
  const probe = await openDatabase(target);
  const applied = await appliedMigrations(probe).finally(() => probe.$disconnect());
  const pending = knownMigrations(target).filter((m) => !applied.has(m));
  if (pending.length === 0) return [];
  const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', DB_PATH: target.location };
  delete env.DATABASE_URL;
  await run(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
    cwd: root,
    env,
  });
  return pending;
}
