import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

// Loaded on first use (a configuration file, an export or an import), not at start:
// most gateways never read or write YAML while they run.
let loaded: typeof Yaml | undefined;

/** The yaml package. */
export const yaml = (): typeof Yaml => (loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
