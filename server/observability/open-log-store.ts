import type { Db, DbTarget } from '../db/client.js';
import type { SpendSink } from '../limits/spend-persister.js';
import type { LogStore } from './log-store.js';
import { PostgresLogStore } from './pg-log-store.js';
import { SqliteLogStore } from './sqlite-log-store.js';

export interface BackgroundWrites {
  /** Request log rows. */
  logs: LogStore;
  /** Key spend, when it has a writer of its own (SQLite: the same worker thread); else the persister uses Prisma. */
  spend?: SpendSink;
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
    return { logs: store, spend: store };
  }
  return { logs: new PostgresLogStore(target.location) };
}
