import { presetOf, timeoutsOf, upstreamHeaders, upstreamUrl } from '../proxy/providers/endpoints.js';
import type { ProviderPreset } from '../proxy/providers/presets.js';
import { readErrorBody } from '../proxy/upstream/upstream-error.js';
import { sendUpstream } from '../proxy/upstream/http-client.js';
import { scrubText } from '../secrets/redactor.js';
import type { ModelEntry, ProviderEntry } from '../snapshot/types.js';

/** One model as the provider's own model list reports it. */
export interface UpstreamModel {
  /** The id to send upstream (Gemini's `models/` prefix removed). */
  id: string;
  displayName?: string;
  /** What the list says about the model's kind, when it says anything. */
  mode?: 'chat' | 'embedding';
}

export class ModelListError extends Error {
  override name = 'ModelListError';
}

/** Listing is an admin action: give up sooner than a generation would. */
const LIST_TIMEOUT_MS = 30_000;
/** Guards against a provider that never stops paging. */
const MAX_PAGES = 50;

type Json = Record<string, unknown>;

/** Lists are read leniently: a missing or odd field reads as absent. */
const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json)[key] : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

async function getJson(provider: ProviderEntry, url: string): Promise<unknown> {
  const timeouts = timeoutsOf(provider);
  const headers = upstreamHeaders(provider);
  delete headers['content-type'];
  let res;
  try {
    res = await sendUpstream({
      url,
      method: 'GET',
      headers,
      timeouts: { connectMs: timeouts.connectMs, firstByteMs: LIST_TIMEOUT_MS, idleMs: LIST_TIMEOUT_MS },
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ModelListError(`Could not reach "${provider.name}" at ${url}${code ? ` (${code})` : ''}: ${(error as Error).message}`);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const text = scrubText(await readErrorBody(res.body), [provider.apiKey]).slice(0, 300);
    throw new ModelListError(`"${provider.name}" answered HTTP ${res.statusCode} to GET ${url}${text ? `: ${text}` : ''}`);
  }
  try {
    return await res.body.json();
  } catch {
    throw new ModelListError(`"${provider.name}" answered GET ${url} with a body that is not JSON`);
  }
}

const guessMode = (id: string): UpstreamModel['mode'] => (/embed/i.test(id) ? 'embedding' : undefined);

/** The list URL of a provider, as the proxy builds it (`upstreamUrl(…, 'list_models')`). */
function listUrl(provider: ProviderEntry): string {
  const probe: ModelEntry = { id: '', name: '', upstreamModel: '', mode: 'chat', provider, requestDefaults: {}, enabled: true, createdAt: 0 };
  return upstreamUrl(probe, 'list_models');
}

const withQuery = (url: string, params: Record<string, string>) => {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
};

/** The models of a list body's items: `read` gives one item's model, or undefined to skip it. */
const modelsOf = (items: unknown[], read: (item: unknown) => UpstreamModel | undefined): UpstreamModel[] => items.flatMap((item) => read(item) ?? []);

/** An item's model when it has an id, with its display name (under `nameField`). */
function namedModel(item: unknown, id: string | undefined, nameField: string, mode: UpstreamModel['mode']): UpstreamModel | undefined {
  return id === undefined ? undefined : { id, displayName: str(field(item, nameField)), mode };
}

/** Up to MAX_PAGES pages: `pageUrl` for each cursor (none for the first page); `read` gives a page's models and the next cursor (none on the last). */
async function paged(
  provider: ProviderEntry,
  pageUrl: (cursor: string | undefined) => string,
  read: (body: unknown) => { models: UpstreamModel[]; next: string | undefined },
): Promise<UpstreamModel[]> {
  const out: UpstreamModel[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { models, next } = read(await getJson(provider, pageUrl(cursor)));
    out.push(...models);
    if (!next) break;
    cursor = next;
  }
  return out;
}

async function listOpenAI(provider: ProviderEntry): Promise<UpstreamModel[]> {
  const body = await getJson(provider, listUrl(provider));
  // Most vendors answer { data: [...] }; a few (Together) answer a bare array.
  const items = Array.isArray(body) ? list(body) : list(field(body, 'data'));
  return modelsOf(items, (m) => {
    const id = str(field(m, 'id'));
    return namedModel(m, id, 'display_name', id === undefined ? undefined : guessMode(id));
  });
}

function listAnthropic(provider: ProviderEntry): Promise<UpstreamModel[]> {
  return paged(
    provider,
    (after) => withQuery(listUrl(provider), { limit: '1000', ...(after ? { after_id: after } : {}) }),
    (body) => ({
      models: modelsOf(list(field(body, 'data')), (m) => namedModel(m, str(field(m, 'id')), 'display_name', 'chat')),
      next: field(body, 'has_more') ? str(field(body, 'last_id')) : undefined,
    }),
  );
}

function listGemini(provider: ProviderEntry): Promise<UpstreamModel[]> {
  return paged(
    provider,
    (token) => withQuery(listUrl(provider), { pageSize: '1000', ...(token ? { pageToken: token } : {}) }),
    (body) => ({
      models: modelsOf(list(field(body, 'models')), (m) => {
        const methods = list(field(m, 'supportedGenerationMethods')).filter((x): x is string => typeof x === 'string');
        const mode = methods.includes('generateContent') ? 'chat' : methods.some((x) => /embed/i.test(x)) ? 'embedding' : undefined;
        return namedModel(m, str(field(m, 'name'))?.replace(/^models\//, ''), 'displayName', mode);
      }),
      next: str(field(body, 'nextPageToken')),
    }),
  );
}

async function listOllama(provider: ProviderEntry): Promise<UpstreamModel[]> {
  // The preset's base URL is Ollama's OpenAI-compatible /v1; the native tags list lives on the host.
  const root = provider.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const body = await getJson(provider, `${root}/api/tags`);
  return modelsOf(list(field(body, 'models')), (m) => {
    const id = str(field(m, 'model')) ?? str(field(m, 'name'));
    return namedModel(m, id, 'name', id === undefined ? undefined : guessMode(id));
  });
}

/** How each list style is read. */
const LISTS: Record<Exclude<ProviderPreset['modelList'], 'none'>, (provider: ProviderEntry) => Promise<UpstreamModel[]>> = {
  openai: listOpenAI,
  anthropic: listAnthropic,
  gemini: listGemini,
  ollama: listOllama,
};

/** The provider's own model list, per the list style of its preset. */
export async function listUpstreamModels(provider: ProviderEntry): Promise<UpstreamModel[]> {
  const style = presetOf(provider).modelList;
  if (style === 'none') throw new ModelListError(`Providers of type "${provider.type}" do not publish a model list; add their models by name.`);
  const models = await LISTS[style](provider);
  const seen = new Set<string>();
  return models.filter((m) => !seen.has(m.id) && seen.add(m.id)).sort((a, b) => a.id.localeCompare(b.id));
}
