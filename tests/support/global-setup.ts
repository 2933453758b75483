import { dropRunDatabases, runDatabasePrefix } from './postgres.js';

// Runs once before all suites. Kept small: suites start their own servers.
export default function setup(): () => Promise<void> {
  process.env.LOG_LEVEL ??= 'silent';
  // Test databases of this run share a prefix; teardown drops any a suite left (e.g. restart tests).
  const prefix = runDatabasePrefix();
  return async () => {
    await dropRunDatabases(prefix).catch(() => {});
  };
}
