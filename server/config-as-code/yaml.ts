import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { once } from '../core/once.js';

/**
 * The yaml package, loaded on first use (a configuration file, an export or an
 * import), not at start: most gateways never read or write YAML while they run.
 */
export const yaml = once(() => createRequire(import.meta.url)('yaml') as typeof Yaml);
