import type { TestProject } from 'vitest/node';
import { ensureChromium, runNeedsBrowser } from './browser.js';
import { dropRunDatabases, runDatabasePrefix } from './postgres.js';

// Runs once before all suites. Kept small: suites start their own servers.
export default function setup(project?: TestProject): () => Promise<void> {
  process.env.LOG_LEVEL ??= 'silent';
  // The file filters given on the command line (not part of vitest's typed API; absent means all files).
  const filters = (project?.vitest as { filenamePattern?: string[] } | undefined)?.filenamePattern;
  if (runNeedsBrowser(filters)) ensureChromium();
  // Test databases of this run share a prefix; teardown drops any a suite left (e.g. restart tests).
  const prefix = runDatabasePrefix();
  return async () => {
    await dropRunDatabases(prefix).catch(() => {});
  };
}
