import type { Db } from '../db/client.js';
import type { DbTarget } from '../db/target.js';
import type { SpendSink } from '../limits/spend-persister.js';
import type { LogStore } from './log-store.js';
import { PostgresLogStore } from './pg-log-store.js';
import { SqliteLogStore } from './sqlite-log-store.js';
import type { SqlReader } from './usage-sql.js';

export interface BackgroundWrites {
  /** Request log rows. */
  logs: LogStore;
  /** Key spend, when it has a writer of its own (SQLite: the same worker thread); else the persister uses Prisma. */
  spend?: SpendSink;
  /** Usage aggregates off the event loop (SQLite: a read-only worker of its own, so reads never wait behind writes). */
  reads?: SqlReader & { close(): Promise<void> };
  /** Closes what was opened here. */
  close(): Promise<void>;
}

/**
 * The stores of the writes that happen behind the request path. On SQLite a
 * worker thread owns them (better-sqlite3 is synchronous and would stall the
 * event loop); on PostgreSQL, whose driver is asynchronous, `pg` directly
 * (no Prisma query compiler on the event loop per batch). Key spend on
 * PostgreSQL stays with Prisma (a few statements every few seconds).
 */
export function openBackgroundWrites(_db: Db, target: DbTarget): BackgroundWrites {
  if (target.kind === 'sqlite') {
    const store = new SqliteLogStore(target.location);
    const reads = new SqliteLogStore(target.location, { readonly: true });
    return { logs: store, spend: store, reads, close: async () => void (await Promise.all([store.close(), reads.close()])) };
  }
  const logs = new PostgresLogStore(target.location);
  return { logs, close: () => logs.close() };
}
