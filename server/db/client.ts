import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import type { DbTarget } from './target.js';
import { rollupInsertTriggerSql } from './usage-rollup.js';
import { Prisma, PrismaClient } from './generated/sqlite/index.js';

/**
 * The storage handle the rest of the gateway uses. Both generated clients come
 * from one data model (prisma/schema.prisma), so they share one API; the domain
 * code sees only this type.
 */
export type Db = PrismaClient;
/** Prisma's value for "store SQL NULL in this Json column". */
export type DbNullValue = typeof Prisma.DbNull;
const DB_NULL = Symbol('dbNull');
type WithDbNull = { [DB_NULL]?: DbNullValue };

/**
 * The DbNull of the client behind `db` (or of a transaction on it): each generated
 * client recognises only its own instance and stores any other as the JSON `{}`.
 */
export function dbNull(db: Db | Prisma.TransactionClient): DbNullValue {
  return (db as WithDbNull)[DB_NULL] ?? Prisma.DbNull;
}

export async function openDatabase(target: DbTarget): Promise<Db> {
  if (target.kind === 'postgres') {
    // Loaded only when used: each generated client carries its own query compiler.
    const [{ PrismaClient: PostgresPrismaClient, Prisma: PostgresPrisma }, { PrismaPg }] = await Promise.all([
      import('./generated/postgres/index.js'),
      import('@prisma/adapter-pg'),
    ]);
    const client = new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: target.location }) });
    await client.$connect();
    // Transactions on the client read the same property, so dbNull(tx) finds it too.
    (client as unknown as WithDbNull)[DB_NULL] = PostgresPrisma.DbNull as unknown as DbNullValue;
    return client as unknown as Db;
  }
  mkdirSync(path.dirname(target.location), { recursive: true });
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${target.location}` }) });
  // WAL lets the batched log writer and admin reads proceed together.
  await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await client.$queryRawUnsafe('PRAGMA busy_timeout = 5000');
  // Rows inserted on this connection join the usage rollup (the request-log writer's connection adds its own).
  const logTable = await client.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'RequestLog'`);
  if (logTable.length) await client.$executeRawUnsafe(rollupInsertTriggerSql());
  return client;
}
