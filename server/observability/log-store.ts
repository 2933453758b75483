import type { RequestLogRow } from '../core/request-log-row.js';
import { toLogRow } from './log-row.js';

/**
 * Where the batch writer puts request log rows: one implementation per
 * database (a worker thread for SQLite, Prisma for PostgreSQL).
 */
export interface LogStore {
  /** Writes the rows in one statement or transaction: all or none. */
  insert(rows: RequestLogRow[]): Promise<void>;
  /**
   * Writes a known-good row and rolls it back: true when the database takes
   * rows. Tells a row the database rejects from a database that is failing.
   */
  acceptsRows(): Promise<boolean>;
  /** Deletes up to `limit` of the oldest rows created before `cutoff` (one bounded batch); returns how many. */
  deleteBefore(cutoff: Date, limit: number): Promise<number>;
  close(): Promise<void>;
}

/** A minimal valid row, for `acceptsRows` (never committed): built like every row, so it has every column. */
export function probeRow(): RequestLogRow {
  return toLogRow({
    at: new Date(),
    clientApi: 'chat-completions',
    requestedModel: 'probe',
    attempts: 0,
    stream: false,
    status: 200,
    latencyMs: 0,
    costUsd: 0,
  });
}
