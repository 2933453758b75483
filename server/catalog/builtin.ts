import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The catalog copy shipped with the gateway, used until a fetch succeeds, so an offline
 * installation still has prices and presets. It is LiteLLM's own
 * model_prices_and_context_window.json as published inside the pinned `llm-cost` npm package
 * (MIT); `npm run build` copies it to dist/catalog/ so production images keep it after
 * development packages are pruned.
 */
export const BUILTIN_PACKAGE = 'llm-cost';
const BUILTIN_FILE = 'model_prices_and_context_window.json';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILT_COPY = path.join(root, 'dist/catalog', BUILTIN_FILE);
export const BUILT_META = path.join(root, 'dist/catalog/source.json');

export interface BuiltinCatalog {
  text: string;
  /** Where it came from, e.g. "llm-cost 1.0.5". */
  source: string;
}

/** The built-in copy, or null when this installation has none (then the catalog starts empty). */
export function loadBuiltinCatalog(): BuiltinCatalog | null {
  if (existsSync(BUILT_COPY)) {
    const meta = existsSync(BUILT_META) ? (JSON.parse(readFileSync(BUILT_META, 'utf8')) as { source?: string }) : {};
    return { text: readFileSync(BUILT_COPY, 'utf8'), source: meta.source ?? BUILTIN_PACKAGE };
  }
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve(`${BUILTIN_PACKAGE}/${BUILTIN_FILE}`);
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(file), 'package.json'), 'utf8')) as { version: string };
    return { text: readFileSync(file, 'utf8'), source: `${BUILTIN_PACKAGE} ${pkg.version}` };
  } catch {
    return null;
  }
}
