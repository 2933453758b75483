// Copies an existing SQLite gateway database into an EMPTY PostgreSQL database.
//
//   npm run db:migrate-to-postgres -- [--from ./data/gateway.db] [--to postgres://user:pass@host:5432/db]
//
// Defaults: --from $DB_PATH (./data/gateway.db), --to $DATABASE_URL. Stop the
// gateway (or keep it read-only) while copying. Exits non-zero with a reason on
// any problem; on success prints one line per table with its row count.
import 'dotenv/config';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { copySqliteToPostgres, CopyError } from './sqlite-to-postgres.js';

const { values } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm run db:migrate-to-postgres -- [--from <sqlite file>] [--to <postgres url>]');
  process.exit(0);
}
const from = path.resolve(values.from ?? process.env.DB_PATH ?? './data/gateway.db');
const to = values.to ?? process.env.DATABASE_URL;
if (!to || !/^postgres(ql)?:\/\//.test(to)) {
  console.error('error: give the target with --to postgres://… (or DATABASE_URL)');
  process.exit(2);
}

try {
  const report = await copySqliteToPostgres(from, to, (line) => console.log(line));
  const total = report.reduce((n, t) => n + t.rows, 0);
  console.log(`done: ${total} rows in ${report.length} tables copied from ${from}; row counts verified`);
} catch (error) {
  console.error(`error: ${error instanceof CopyError ? error.message : error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}
