import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Applies committed PostgreSQL migrations ourselves. `prisma migrate deploy`
 * through the pg driver adapter cannot read PostgreSQL's `name` column type
 * (prisma/orm#27403), so we run each migration.sql in its own transaction and
 * write the same `_prisma_migrations` rows Prisma writes (sha256 checksum of
 * the file, timestamps, one applied step), so Prisma's own tooling sees an
 * up-to-date database.
 */

// Prisma's own bookkeeping table, column for column.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Any constant works; it only has to be the same for every gateway instance. */
const MIGRATION_LOCK_KEY = 72_707_369;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export const migrationChecksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Applies the pending migrations from `dir` (folder names, oldest first) and
 * returns their names. Instances starting together serialise on an advisory
 * lock, so each migration runs once.
 */
export async function applyPostgresMigrations(connectionString: string, dir: string, names: string[]): Promise<string[]> {
  // Loaded here: a gateway on SQLite never needs the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} started but did not finish on this database; fix the database, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}')`,
      );
    }
    const applied = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
    const pending = names.filter((n) => !applied.has(n));
    for (const name of pending) {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      const startedAt = new Date();
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migrationChecksum(sql), name, startedAt],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new MigrationError(`Migration ${name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
