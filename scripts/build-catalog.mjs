// Copies the built-in LiteLLM catalog (from the pinned llm-cost package) to dist/catalog/, so a
// production install keeps it after development packages are pruned. See server/catalog/builtin.ts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const source = require.resolve('llm-cost/model_prices_and_context_window.json');
const { version } = JSON.parse(readFileSync(path.join(path.dirname(source), 'package.json'), 'utf8'));
const out = path.join(root, 'dist/catalog');
mkdirSync(out, { recursive: true });
copyFileSync(source, path.join(out, 'model_prices_and_context_window.json'));
writeFileSync(path.join(out, 'source.json'), `${JSON.stringify({ source: `llm-cost ${version}` })}\n`);
process.stdout.write(`Built-in catalog: llm-cost ${version} → dist/catalog/\n`);
