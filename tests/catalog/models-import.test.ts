import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startGeminiMock } from '../support/mock-upstreams/gemini.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { DEFAULT_API_KEY, type MockUpstream } from '../support/mock-upstreams/types.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { readFixture, REFRESH, startCatalogServer, type CatalogServer } from './catalog-server.js';
import { createProvider } from '../support/admin.js';
import { startCustomUpstream, type CustomUpstream } from '../support/proxy-fixture.js';

const LIST = `query($id: ID!) { upstreamModels(providerId: $id) { id displayName mode importedAs catalog { key contextWindow inputPrice } } }`;
/** LIST's answer, with the fields the tests read. */
type Listed = { upstreamModels: Array<{ id: string; mode: string; importedAs: string | null; catalog: unknown }> };
/** IMPORT's answer. */
type Imported = { importModels: { created: Array<{ name: string }>; existing: string[]; skipped: unknown[] } };
const IMPORT = `mutation($id: ID!, $models: [ImportModelInput!]!) {
  importModels(providerId: $id, models: $models) {
    created { name upstreamModel mode contextWindow maxOutputTokens inputPrice outputPrice cacheReadPrice cacheWritePrice supportsTools supportsVision supportsReasoning catalogKey overrides }
    existing
    skipped { name reason }
  }
}`;
/** Ollama's native tags list; the mocks of this repository do not speak it. */
function startOllamaTags(): Promise<CustomUpstream> {
  return startCustomUpstream((req, _body, res) => {
    if (req.url !== '/api/tags') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        models: [
          { name: 'llama3.2:latest', model: 'llama3.2:latest', size: 2019393189 },
          { name: 'nomic-embed-text:latest', model: 'nomic-embed-text:latest' },
        ],
      }),
    );
  }, '/v1');
}

describe("model import from a provider's own model list", () => {
  let gw: TestGateway;
  let catalog: CatalogServer;
  let openai: MockUpstream;
  let anthropic: MockUpstream;
  let gemini: MockUpstream;
  let ollama: CustomUpstream;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [catalog, openai, anthropic, gemini, ollama] = await Promise.all([
      startCatalogServer(readFixture()),
      startOpenAIChatMock(),
      startAnthropicMock(),
      startGeminiMock(),
      startOllamaTags(),
    ]);
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0' });
    const create = async (name: string, type: string, baseUrl: string, apiKey?: string) =>
      (ids[name] = await createProvider(gw, { name, type, baseUrl, apiKey }));
    await create('openai-main', 'openai', openai.url, DEFAULT_API_KEY);
    await create('anthropic-main', 'anthropic', anthropic.url, DEFAULT_API_KEY);
    await create('gemini-main', 'gemini', gemini.url, DEFAULT_API_KEY);
    await create('local-ollama', 'ollama', ollama.url);
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([catalog?.close(), openai?.close(), anthropic?.close(), gemini?.close(), ollama?.close()]);
  });

  it('lists OpenAI-compatible models (GET {base}/models) with the catalog entry each would get', async () => {
    await gw.admin(REFRESH);
    const { upstreamModels } = await gw.admin<Listed>(LIST, { id: ids['openai-main'] });
    expect(upstreamModels.map((m) => m.id)).toEqual(['gpt-4o', 'gpt-4o-mini', 'o3-mini', 'text-embedding-3-small']);
    expect(upstreamModels[0]).toMatchObject({ importedAs: null, catalog: { key: 'gpt-4o', contextWindow: 128000, inputPrice: 2.5e-6 } });
    expect(upstreamModels[3]).toMatchObject({ mode: 'embedding' });
    expect(openai.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${DEFAULT_API_KEY}` } });
  });

  it('lists Anthropic models (GET /v1/models with its version header)', async () => {
    const { upstreamModels } = await gw.admin<Listed>(LIST, { id: ids['anthropic-main'] });
    expect(upstreamModels.map((m) => m.id)).toEqual(['claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805', 'claude-sonnet-4-5-20250929']);
    expect(upstreamModels[0]).toMatchObject({ displayName: 'Claude Haiku 4.5', catalog: { key: 'claude-haiku-4-5-20251001' } });
    expect(upstreamModels[1].catalog).toBeNull();
    expect(anthropic.requests.at(-1)?.url).toMatch(/^\/v1\/models\?limit=\d+$/);
  });

  it('lists Gemini models (models.list), without the models/ prefix', async () => {
    const { upstreamModels } = await gw.admin<Listed>(LIST, { id: ids['gemini-main'] });
    expect(upstreamModels.map((m) => [m.id, m.mode])).toEqual([
      ['gemini-2.0-flash', 'chat'],
      ['gemini-2.5-flash', 'chat'],
      ['gemini-2.5-pro', 'chat'],
      ['text-embedding-004', 'embedding'],
    ]);
    expect(upstreamModels[1].catalog).toMatchObject({ key: 'gemini/gemini-2.5-flash', contextWindow: 1048576 });
  });

  it('lists Ollama tags from the host of its /v1 base URL', async () => {
    const { upstreamModels } = await gw.admin<Listed>(LIST, { id: ids['local-ollama'] });
    expect(upstreamModels.map((m) => m.id)).toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    expect(upstreamModels[0].catalog).toMatchObject({ key: 'ollama/llama3.2' });
  });

  it('reports an upstream refusal clearly', async () => {
    await gw.admin('mutation($id: ID!) { updateProvider(id: $id, input: { apiKey: "wrong-key" }) { id } }', { id: ids['openai-main'] });
    const result = await gw.gql(LIST, { id: ids['openai-main'] }, await gw.adminToken());
    expect(result.errors?.[0].message).toMatch(/"openai-main" answered HTTP 401 to GET http:\/\/127\.0\.0\.1:\d+\/v1\/models/);
    expect(JSON.stringify(result)).not.toContain('wrong-key');
    await gw.admin(`mutation($id: ID!) { updateProvider(id: $id, input: { apiKey: "${DEFAULT_API_KEY}" }) { id } }`, { id: ids['openai-main'] });
  });

  it('imports a selection with catalog presets applied', async () => {
    const { importModels } = await gw.admin<Imported>(IMPORT, {
      id: ids['anthropic-main'],
      models: [{ upstreamModel: 'claude-sonnet-4-5-20250929' }, { upstreamModel: 'claude-opus-4-1-20250805', name: 'opus' }],
    });
    expect(importModels.existing).toEqual([]);
    expect(importModels.skipped).toEqual([]);
    const [sonnet, opus] = importModels.created; // ordered by name
    expect(sonnet).toEqual({
      name: 'claude-sonnet-4-5-20250929',
      upstreamModel: 'claude-sonnet-4-5-20250929',
      mode: 'chat',
      contextWindow: 200000,
      maxOutputTokens: 64000,
      inputPrice: 3e-6,
      outputPrice: 1.5e-5,
      cacheReadPrice: 3e-7,
      cacheWritePrice: 3.75e-6,
      supportsTools: true,
      supportsVision: true,
      supportsReasoning: true,
      catalogKey: 'claude-sonnet-4-5-20250929',
      overrides: [],
    });
    // No catalog entry: created bare, nothing invented.
    expect(opus).toMatchObject({ name: 'opus', contextWindow: null, inputPrice: null, catalogKey: null });
    const { upstreamModels } = await gw.admin<Listed>(LIST, { id: ids['anthropic-main'] });
    expect(upstreamModels.map((m) => m.importedAs)).toEqual([null, 'opus', 'claude-sonnet-4-5-20250929']);
  });

  it('re-import is idempotent and a name of another provider is not taken over', async () => {
    const again = await gw.admin<Imported>(IMPORT, {
      id: ids['anthropic-main'],
      models: [{ upstreamModel: 'claude-sonnet-4-5-20250929' }, { upstreamModel: 'claude-haiku-4-5-20251001' }],
    });
    expect(again.importModels.existing).toEqual(['claude-sonnet-4-5-20250929']);
    expect(again.importModels.created.map((m) => m.name)).toEqual(['claude-haiku-4-5-20251001']);
    const clash = await gw.admin<Imported>(IMPORT, {
      id: ids['openai-main'],
      models: [{ upstreamModel: 'gpt-4o', name: 'opus' }, { upstreamModel: 'gpt-4o' }],
    });
    expect(clash.importModels.skipped).toEqual([{ name: 'opus', reason: 'the name is already used by a model of provider "anthropic-main"' }]);
    expect(clash.importModels.created).toMatchObject([{ name: 'gpt-4o', contextWindow: 128000, supportsVision: true }]);
    const { models } = await gw.admin<{ models: { nodes: Array<{ name: string }> } }>('{ models(first: 500) { nodes { name } } }');
    expect(models.nodes.map((m) => m.name).sort()).toEqual(['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929', 'gpt-4o', 'opus']);
  });

  it('imports Gemini embeddings and Ollama tags with their modes and presets', async () => {
    const g = await gw.admin<Imported>(IMPORT, {
      id: ids['gemini-main'],
      models: [{ upstreamModel: 'text-embedding-004', mode: 'embedding' }, { upstreamModel: 'gemini-2.5-pro' }],
    });
    expect(g.importModels.created).toMatchObject([
      { name: 'gemini-2.5-pro', mode: 'chat', contextWindow: 1048576, catalogKey: 'gemini/gemini-2.5-pro' },
      { name: 'text-embedding-004', mode: 'embedding', inputPrice: 0 },
    ]);
    const o = await gw.admin<Imported>(IMPORT, {
      id: ids['local-ollama'],
      models: [{ upstreamModel: 'llama3.2:latest' }, { upstreamModel: 'nomic-embed-text:latest', mode: 'embedding' }],
    });
    expect(o.importModels.created).toMatchObject([
      { name: 'llama3.2:latest', catalogKey: 'ollama/llama3.2', contextWindow: 8192, inputPrice: 0, supportsTools: true },
      { name: 'nomic-embed-text:latest', mode: 'embedding', catalogKey: null },
    ]);
    // Imported models serve traffic right away: they are in the in-memory snapshot.
    expect(gw.services.snapshot.current.modelsByName.get('llama3.2:latest')?.contextWindow).toBe(8192);
  });
});
