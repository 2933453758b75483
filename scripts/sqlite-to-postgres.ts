import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { applyPendingMigrations, knownMigrations } from '../server/db/migrate.js';

export class CopyError extends Error {
  override name = 'CopyError';
}

export interface TableReport {
  table: string;
  rows: number;
}

interface PgColumn {
  name: string;
  type: string;
}

const PG_PARAM_LIMIT = 60_000;

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
export function foreignKeyOrder(tables: string[], references: Array<{ from: string; to: string }>): string[] {
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string, trail: string[]) => {
    if (state.get(table) === 'done') return;
    if (state.get(table) === 'visiting') throw new CopyError(`foreign keys form a cycle: ${[...trail, table].join(' -> ')}`);
    state.set(table, 'visiting');
    for (const r of references) if (r.from === table && r.to !== table) visit(r.to, [...trail, table]);
    state.set(table, 'done');
    ordered.push(table);
  };
  for (const table of [...tables].sort()) visit(table, []);
  return ordered;
}

/** SQLite's storage of one value as PostgreSQL expects it for the column's type. */
function convert(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value === 1 || value === '1' || value === true || value === 'true';
  if (type.startsWith('timestamp')) {
    if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return new Date(Number(value));
    if (typeof value === 'string') return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  }
  if (type === 'jsonb' || type === 'json') return typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

async function pgTables(client: pg.Client): Promise<{ tables: string[]; references: Array<{ from: string; to: string }> }> {
  const tables = (
    await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'",
    )
  ).rows.map((r) => r.table_name);
  const references = (
    await client.query<{ from: string; to: string }>(
      `SELECT tc.table_name AS "from", ccu.table_name AS "to"
         FROM information_schema.table_constraints tc
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`,
    )
  ).rows;
  return { tables, references };
}

async function pgColumns(client: pg.Client, table: string): Promise<PgColumn[]> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies every table of a gateway SQLite database into an empty PostgreSQL
 * database: applies the PostgreSQL migrations, copies tables in foreign-key
 * order inside one transaction, and compares row counts table by table.
 */
export async function copySqliteToPostgres(sqliteFile: string, postgresUrl: string, log: (line: string) => void = () => {}): Promise<TableReport[]> {
  if (!existsSync(sqliteFile)) throw new CopyError(`SQLite database not found: ${sqliteFile}`);
  const sqlite = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: postgresUrl });
  try {
    const sqliteTables = new Set((sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name));
    if (!sqliteTables.has('_prisma_migrations')) throw new CopyError(`${sqliteFile} is not a gateway database (no _prisma_migrations table)`);
    const applied = new Set(
      (
        sqlite.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{
          migration_name: string;
        }>
      ).map((r) => r.migration_name),
    );
    const missing = knownMigrations({ kind: 'sqlite', location: sqliteFile }).filter((m) => !applied.has(m));
    if (missing.length) {
      throw new CopyError(
        `${path.basename(sqliteFile)} lacks migrations ${missing.join(', ')}: start this gateway version on it once (it migrates at start), then copy`,
      );
    }

    try {
      await client.connect();
    } catch (error) {
      throw new CopyError(`cannot connect to PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
    }
    const before = await pgTables(client);
    for (const table of before.tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
      if (Number(rows[0].n) > 0) throw new CopyError(`target database is not empty: table ${table} has ${rows[0].n} rows (copy into an empty database)`);
    }
    const migrations = await applyPendingMigrations({ kind: 'postgres', location: postgresUrl });
    if (migrations.length) log(`applied PostgreSQL migrations: ${migrations.join(', ')}`);

    const { tables, references } = await pgTables(client);
    const order = foreignKeyOrder(tables, references);
    const extra = [...sqliteTables].filter((t) => t !== '_prisma_migrations' && !t.startsWith('sqlite_') && !tables.includes(t));
    if (extra.length) throw new CopyError(`SQLite tables with no PostgreSQL counterpart: ${extra.join(', ')} (versions differ?)`);

    const report: TableReport[] = [];
    await client.query('BEGIN');
    try {
      for (const table of order) {
        if (!sqliteTables.has(table)) {
          report.push({ table, rows: 0 });
          continue;
        }
        const columns = await pgColumns(client, table);
        const sqliteColumns = new Set((sqlite.prepare(`PRAGMA table_info(${quote(table)})`).all() as Array<{ name: string }>).map((c) => c.name));
        const unknown = [...sqliteColumns].filter((c) => !columns.some((col) => col.name === c));
        if (unknown.length) throw new CopyError(`table ${table}: columns ${unknown.join(', ')} do not exist in PostgreSQL`);
        const shared = columns.filter((c) => sqliteColumns.has(c.name));
        const perBatch = Math.max(1, Math.floor(PG_PARAM_LIMIT / shared.length));
        const select = sqlite.prepare(`SELECT ${shared.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`);
        let batch: unknown[][] = [];
        let copied = 0;
        const flush = async () => {
          if (!batch.length) return;
          const params: unknown[] = [];
          const tuples = batch.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
          await client.query(`INSERT INTO ${quote(table)} (${shared.map((c) => quote(c.name)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
          copied += batch.length;
          batch = [];
        };
        for (const row of select.iterate() as Iterable<Record<string, unknown>>) {
          batch.push(shared.map((c) => convert(row[c.name], c.type)));
          if (batch.length >= perBatch) await flush();
        }
        await flush();
        report.push({ table, rows: copied });
      }
      // Row counts, read back inside the transaction, must match the source.
      for (const { table } of report) {
        const source = sqliteTables.has(table) ? (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${quote(table)}`).get() as { n: number }).n : 0;
        const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
        if (Number(rows[0].n) !== source) throw new CopyError(`row count mismatch in ${table}: SQLite ${source}, PostgreSQL ${rows[0].n}`);
        log(`${table}: ${source} rows`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      if (error instanceof CopyError) throw error;
      throw new CopyError(`copy failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
    }
    return report;
  } finally {
    sqlite.close();
    await client.end().catch(() => {});
  }
}
