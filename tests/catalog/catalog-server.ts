import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenLocal } from '../support/mock-upstreams/serve.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE_PATH = path.join(here, 'fixtures/catalog-small.json');
/** The real LiteLLM snapshot kept next to the repository (never copied into it). */
export const REAL_SNAPSHOT_PATH = path.resolve(here, '../../../shared/data/litellm/model_prices_and_context_window.json');
export const readFixture = () => readFileSync(FIXTURE_PATH, 'utf8');

/**
 * A catalog the size of LiteLLM's real file (over 1.4 MB, above the 1 MB GraphQL body
 * limit), made in the repository from the small fixture's entries under numbered names,
 * so the upload path is tested without the snapshot that lives outside it.
 */
export function largeCatalog(minBytes = 1_500_000): string {
  const entries = Object.entries(JSON.parse(readFixture()) as Record<string, unknown>).filter(([name]) => name !== 'sample_spec');
  const out: Record<string, unknown> = {};
  let bytes = 2;
  for (let round = 0; bytes < minBytes; round++) {
    for (const [name, entry] of entries) {
      const copy = `${name}-${round}`;
      out[copy] = entry;
      bytes += JSON.stringify(copy).length + JSON.stringify(entry).length + 2;
    }
  }
  return JSON.stringify(out);
}

/** What the stand-in for the online catalog answers next. */
export type CatalogReply = { status: number; body: string } | { hang: true };

/** A local HTTP server standing in for raw.githubusercontent.com. */
export interface CatalogServer {
  url: string;
  requests: number;
  reply: CatalogReply;
  close(): Promise<void>;
}

export async function startCatalogServer(body: string): Promise<CatalogServer> {
  // A hanging reply is left open; close() cuts it with the other connections.
  const server = createServer((_req, res) => {
    state.requests++;
    const reply = state.reply;
    if ('hang' in reply) return;
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body);
  });
  const local = await listenLocal(server);
  const state: CatalogServer = {
    url: `${local.url}/model_prices_and_context_window.json`,
    requests: 0,
    reply: { status: 200, body },
    close: local.close,
  };
  return state;
}

const STATUS_FIELDS = 'sourceUrl fetchedAt entryCount skippedCount lastAttemptAt lastError refreshing';
export const STATUS = `catalogStatus { ${STATUS_FIELDS} }`;
export const REFRESH = `mutation { refreshCatalog { ok unchanged error status { ${STATUS_FIELDS} } } }`;
export const ENTRY =
  'key provider mode contextWindow maxOutputTokens inputPrice outputPrice cacheReadPrice cacheWritePrice supportsTools supportsVision supportsReasoning';
export const SEARCH = `query($text: String, $provider: String, $mode: String, $capabilities: [CatalogCapability!], $skip: Int, $take: Int) {
  catalogSearch(text: $text, provider: $provider, mode: $mode, capabilities: $capabilities, skip: $skip, take: $take) { total items { ${ENTRY} } }
}`;

/** The fields of STATUS as the API returns them. */
export interface CatalogStatusData {
  sourceUrl: string | null;
  fetchedAt: string | null;
  entryCount: number;
  skippedCount: number;
  lastAttemptAt: string | null;
  lastError: string | null;
  refreshing: boolean;
}

/** The answer to REFRESH. */
export interface RefreshData {
  refreshCatalog: { ok: boolean; unchanged: boolean; error: string | null; status: CatalogStatusData };
}

/** One catalog entry with the fields of ENTRY. */
export interface CatalogEntryData {
  key: string;
  provider: string;
  mode: string;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  inputPrice: number | null;
  outputPrice: number | null;
  cacheReadPrice: number | null;
  cacheWritePrice: number | null;
  supportsTools: boolean;
  supportsVision: boolean;
  supportsReasoning: boolean;
}

/** The answer to SEARCH. */
export interface SearchData {
  catalogSearch: { total: number; items: CatalogEntryData[] };
}
