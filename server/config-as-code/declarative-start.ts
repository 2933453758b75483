import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watch, watchFile as pollFile, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { applyConfig, ConfigFileError } from './index.js';
import { instanceDeps, type InstanceServices } from './instance.js';

const DEBOUNCE_MS = 300;
const RETRY_MS = 1_000;
const RETRIES = 5;
const POLL_MS = 2_000;

/**
 * GATEWAY_CONFIG: the file is applied before the instance serves (a bad file
 * stops the start with every problem listed), then, with GATEWAY_CONFIG_WATCH,
 * again whenever its content changes (a bad edit is logged and the running
 * configuration kept). Objects the file lacks are kept (no prune).
 */
export async function startDeclarativeConfig(services: InstanceServices & { logger: Logger }, file: string, watchFile: boolean): Promise<() => void> {
  const { logger } = services;
  let lastDigest = '';
  const applyFile = async (): Promise<void> => {
    const text = readFileSync(file, 'utf8');
    const digest = createHash('sha256').update(text).digest('hex');
    if (digest === lastDigest) return;
    const result = await applyConfig(instanceDeps(services), text);
    lastDigest = digest;
    const count = (action: string) => result.plan.changes.filter((c) => c.action === action).length;
    logger.info({ file, created: count('create'), changed: count('update') }, 'applied configuration file');
    for (const key of result.createdKeys) {
      logger.warn(
        { key: key.name },
        'virtual key created from the configuration file; its secret is shown only by `config apply` through the CLI or GraphQL, so revoke it and create one there to use it',
      );
    }
  };
  try {
    await applyFile();
  } catch (error) {
    if (error instanceof ConfigFileError) throw new Error(`GATEWAY_CONFIG ${file} was not applied:\n  ${error.problems.join('\n  ')}`);
    throw error;
  }
  if (!watchFile) return () => {};

  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  // A file that does not validate waits for the next edit; any other failure (the
  // database busy with another writer, the file caught mid-replace) is retried.
  const onChange = (attempt = 0) => {
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        running = running.then(() =>
          applyFile().catch((error) => {
            const invalid = error instanceof ConfigFileError;
            logger.error({ file, problems: invalid ? error.problems : undefined, err: invalid ? undefined : error }, 'configuration file change not applied');
            if (!invalid && attempt < RETRIES) onChange(attempt + 1);
          }),
        );
      },
      attempt === 0 ? DEBOUNCE_MS : RETRY_MS,
    );
  };
  // The folder is watched: editors and Kubernetes config maps replace the file rather than write into it.
  const watcher: FSWatcher = watch(path.dirname(file), (_event, name) => {
    if (!name || name.toString() === path.basename(file) || name.toString().startsWith('..')) onChange();
  });
  // And polled: a change event can be missed (watch limits, network file systems); the digest makes a second look free.
  pollFile(file, { interval: POLL_MS, persistent: false }, () => onChange());
  return () => {
    clearTimeout(timer);
    watcher.close();
    unwatchFile(file);
  };
}
