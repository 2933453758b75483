import type { Pool } from 'pg';
import { LOG_COLUMNS } from './log-insert.js';
import type { RequestLogRow } from '../core/request-log-row.js';
import { probeRow, type LogStore } from './log-store.js';
import { rollupPruneParams, rollupPruneSql } from '../db/usage-rollup.js';

const COLUMN_LIST = LOG_COLUMNS.map((c) => `"${c}"`).join(', ');
/** Casts per column: timestamps are bound as UTC ISO text (the columns have no time zone), JSON as text. */
const CAST: Partial<Record<(typeof LOG_COLUMNS)[number], string>> = { createdAt: '::timestamp', rulesApplied: '::jsonb' };

function insertStatement(rows: RequestLogRow[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const slots = LOG_COLUMNS.map((column) => {
      const value = row[column];
      values.push(value == null ? null : value instanceof Date ? value.toISOString() : column === 'rulesApplied' ? JSON.stringify(value) : value);
      return `$${values.length}${CAST[column] ?? ''}`;
    });
    return `(${slots.join(', ')})`;
  });
  return { text: `INSERT INTO "RequestLog" (${COLUMN_LIST}) VALUES ${tuples.join(', ')}`, values };
}

/**
 * Request log writes on PostgreSQL straight through `pg` (a small pool of its
 * own): the driver is asynchronous, and going around Prisma saves building a
 * 5,800-parameter query in its query compiler on the event loop for every batch.
 */
export class PostgresLogStore implements LogStore {
  private pool: Promise<Pool> | undefined;

  constructor(private readonly url: string) {}

  /** One statement: the database's trigger adds the rows to the usage rollup in its transaction. */
  async insert(rows: RequestLogRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { text, values } = insertStatement(rows);
    await (await this.connect()).query(text, values);
  }

  async acceptsRows(): Promise<boolean> {
    let client;
    try {
      client = await (await this.connect()).connect();
      await client.query('BEGIN');
      const { text, values } = insertStatement([probeRow()]);
      await client.query(text, values);
      return true;
    } catch {
      return false;
    } finally {
      await client?.query('ROLLBACK').catch(() => undefined);
      client?.release();
    }
  }

  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    const result = await (
      await this.connect()
    ).query('DELETE FROM "RequestLog" WHERE "id" IN (SELECT "id" FROM "RequestLog" WHERE "createdAt" < $1::timestamp ORDER BY "createdAt" LIMIT $2)', [
      cutoff.toISOString(),
      limit,
    ]);
    // One bounded batch of rollup rows of the hours before the cutoff's too (not counted: the caller counts log rows).
    await (await this.connect()).query(rollupPruneSql('postgres'), rollupPruneParams(cutoff, limit));
    return result.rowCount ?? 0;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool).end();
  }

  private connect(): Promise<Pool> {
    // Loaded on first use, like the rest of the PostgreSQL client.
    this.pool ??= import('pg').then(({ default: pg }) => {
      const pool = new pg.Pool({ connectionString: this.url, max: 2 });
      pool.on('error', () => undefined); // an idle connection dropped by the server; the next query reconnects
      return pool;
    });
    return this.pool;
  }
}
