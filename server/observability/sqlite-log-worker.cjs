'use strict';
// The SQLite request-log writer thread: owns one better-sqlite3 connection, so
// the synchronous inserts (and their fsyncs) run off the gateway's event loop.
// Plain JavaScript so it loads the same way from the sources and from the build.
//
// Messages in:  { id, op: 'insert', rows, rollup } | { id, op: 'probe', row } | { id, op: 'spend', entries }
//               | { id, op: 'prune', cutoff, limit } | { id, op: 'query', sql, params } | { id, op: 'close' }
// Messages out: { id, ok: true, value? } | { id, ok: false, error: { message, code } }
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs, readonly: workerData.readonly === true });
if (!workerData.readonly) {
  db.pragma('journal_mode = WAL');
  // Log rows may lose the last transactions on power loss, never consistency; far fewer fsyncs.
  db.pragma('synchronous = NORMAL');
  // Statement journals (every insert that fires a trigger opens one) in memory, not temporary files:
  // measured 35 µs of system time per log row saved; they hold one statement's changes only.
  db.pragma('temp_store = MEMORY');
}

const COLUMNS = workerData.columns;
const INSERT_SQL = `INSERT INTO "RequestLog" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;
const ROLLBACK = new Error('rollback');

// Prepared lazily and dropped on error: a statement fails to prepare while the table is missing.
// A batch adds its rows' sums to the usage rollup in the same transaction (`rollup`: one row per rollup row
// touched, summed by the caller); this connection has no insert trigger (db/usage-rollup.ts says why).
let insertOne;
let insertAll;
function statements() {
  if (!insertOne) {
    insertOne = db.prepare(INSERT_SQL);
    const addRollup = db.prepare(workerData.rollupUpsertSql);
    insertAll = db.transaction((rows, rollup) => {
      for (const row of rows) insertOne.run(values(row));
      for (const delta of rollup) addRollup.run(delta);
    });
  }
  return insertAll;
}

/** Column values as the Prisma SQLite adapter stores them (ISO dates with +00:00, booleans as 0/1, JSON as text). */
function values(row) {
  return COLUMNS.map((column) => {
    const value = row[column];
    if (value === undefined || value === null) return null;
    if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (column === 'rulesApplied') return JSON.stringify(value);
    return value;
  });
}

const spendSql = {
  key: 'UPDATE "VirtualKey" SET "spendUsd" = "spendUsd" + ? WHERE "id" = ?',
  period:
    'INSERT INTO "KeySpend" ("virtualKeyId", "period", "spendUsd", "updatedAt") SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "VirtualKey" WHERE "id" = ?) ' +
    'ON CONFLICT ("virtualKeyId", "period") DO UPDATE SET "spendUsd" = "spendUsd" + excluded."spendUsd", "updatedAt" = excluded."updatedAt"',
};
let spendWrite;
function spendStatement() {
  if (!spendWrite) {
    const key = db.prepare(spendSql.key);
    const period = db.prepare(spendSql.period);
    spendWrite = db.transaction((entries, at) => {
      for (const e of entries) {
        key.run(e.total, e.keyId);
        for (const [name, usd] of e.periods) period.run(e.keyId, name, usd, at, e.keyId);
      }
    });
  }
  return spendWrite;
}

// One bounded batch of the oldest rows past retention (the caller loops, pausing between batches),
// and one bounded batch of rollup rows of the hours before the cutoff's (not counted: the caller counts log rows).
let pruneStatement;
let pruneRollup;
function prune(cutoff, limit, rollupParams) {
  pruneStatement ??= db.prepare('DELETE FROM "RequestLog" WHERE "id" IN (SELECT "id" FROM "RequestLog" WHERE "createdAt" < ? ORDER BY "createdAt" LIMIT ?)');
  pruneRollup ??= db.prepare(workerData.rollupPruneSql);
  const changes = pruneStatement.run(cutoff.toISOString().replace('Z', '+00:00'), limit).changes;
  pruneRollup.run(rollupParams);
  return changes;
}

// Read statements (usage aggregates), prepared once per text; parameters bound as the Prisma adapter binds them.
const queries = new Map();
function query(sql, params) {
  let statement = queries.get(sql);
  if (!statement) {
    if (queries.size >= 64) queries.clear();
    statement = db.prepare(sql);
    queries.set(sql, statement);
  }
  return statement.all(params.map((p) => (p instanceof Date ? p.toISOString().replace('Z', '+00:00') : typeof p === 'boolean' ? (p ? 1 : 0) : p)));
}

parentPort.on('message', (message) => {
  const { id, op } = message;
  let value;
  try {
    if (op === 'query') value = query(message.sql, message.params);
    else if (op === 'prune') value = prune(message.cutoff, message.limit, message.rollupParams);
    else if (op === 'insert') statements()(message.rows, message.rollup);
    else if (op === 'probe') {
      try {
        db.transaction(() => {
          statements();
          insertOne.run(values(message.row));
          throw ROLLBACK;
        })();
      } catch (error) {
        if (error !== ROLLBACK) throw error;
      }
    } else if (op === 'spend') spendStatement()(message.entries, new Date().toISOString().replace('Z', '+00:00'));
    else if (op === 'close') {
      db.close();
      parentPort.postMessage({ id, ok: true });
      parentPort.close();
      return;
    } else throw new Error(`unknown operation ${op}`);
    parentPort.postMessage({ id, ok: true, value });
  } catch (error) {
    insertOne = insertAll = spendWrite = pruneStatement = pruneRollup = undefined;
    parentPort.postMessage({ id, ok: false, error: { message: String(error && error.message), code: error && error.code } });
  }
});
