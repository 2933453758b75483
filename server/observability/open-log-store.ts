import type { Db, DbTarget } from '../db/client.js';
import type { SpendSink } from '../limits/spend-persister.js';
import { prismaLogStore } from './log-insert.js';
import type { LogStore } from './log-store.js';
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
 * event loop); PostgreSQL's driver is asynchronous, so Prisma writes there.
 */
export function openBackgroundWrites(db: Db, target: DbTarget): BackgroundWrites {
  if (target.kind === 'sqlite') {
    const store = new SqliteLogStore(target.location);
    return { logs: store, spend: store };
  }
  return { logs: prismaLogStore(db, target.kind) };
}
