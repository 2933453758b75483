/**
 * Catalog search speed on the real LiteLLM snapshot (not run in CI):
 *   npx tsx bench/catalog-search.ts [path-to-model_prices_and_context_window.json]
 * Prints the index build time and ms per query for typical admin searches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogIndex, parseCatalog, type CatalogQuery } from '../server/catalog/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.resolve(root, '../shared/data/litellm/model_prices_and_context_window.json');
const text = readFileSync(file, 'utf8');

let t = performance.now();
const parsed = parseCatalog(text);
const parseMs = performance.now() - t;
t = performance.now();
const index = new CatalogIndex(parsed.entries);
const buildMs = performance.now() - t;
console.log(`${file}\n${index.size} entries (${parsed.skipped.length} skipped); parse+validate ${parseMs.toFixed(1)} ms, index ${buildMs.toFixed(1)} ms`);
for (const s of parsed.skipped) console.log(`  skipped ${s.key}: ${s.reason}`);

const queries: [string, CatalogQuery][] = [
  ['empty (first page of all)', {}],
  ['text "gpt"', { text: 'gpt' }],
  ['text "claude sonnet"', { text: 'claude sonnet' }],
  ['text "a" (matches most keys)', { text: 'a' }],
  ['provider openai', { provider: 'openai' }],
  ['provider + text', { provider: 'bedrock', text: 'llama' }],
  ['capabilities tools+vision+reasoning', { capabilities: ['tools', 'vision', 'reasoning'] }],
  ['mode chat + text "qwen" + tools', { mode: 'chat', text: 'qwen', capabilities: ['tools'] }],
  ['no match', { text: 'zzzz-no-such-model' }],
  ['page 20', { text: 'e', skip: 500, take: 25 }],
];
const ROUNDS = 2000;
for (const [label, query] of queries) {
  for (let i = 0; i < 50; i++) index.search(query);
  t = performance.now();
  let total = 0;
  for (let i = 0; i < ROUNDS; i++) total = index.search(query).total;
  const ms = (performance.now() - t) / ROUNDS;
  console.log(`${label.padEnd(40)} ${ms.toFixed(4)} ms/query  (${total} hits)`);
}
