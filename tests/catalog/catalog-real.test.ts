import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { REAL_SNAPSHOT_PATH, REFRESH, SEARCH, startCatalogServer, type CatalogServer, type RefreshData, type SearchData } from './catalog-server.js';
import { createProvider } from '../support/admin.js';

const present = existsSync(REAL_SNAPSHOT_PATH);
if (!present) console.log(`skipping the real LiteLLM snapshot suite: ${REAL_SNAPSHOT_PATH} does not exist (it lives next to the repository in CI)`);

describe.skipIf(!present)('LiteLLM catalog: the real snapshot', () => {
  let gw: TestGateway;
  let catalog: CatalogServer;
  let text: string;
  let raw: Record<string, any>;

  beforeAll(async () => {
    text = readFileSync(REAL_SNAPSHOT_PATH, 'utf8');
    raw = JSON.parse(text);
    catalog = await startCatalogServer(text);
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0' });
  });
  afterAll(async () => {
    await gw?.stop();
    await catalog?.close();
  });

  it('fetches and stores every entry but the documentation key and implausible ones', async () => {
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog.ok).toBe(true);
    const models = Object.keys(raw).length - 1; // sample_spec
    const implausible = Object.values(raw).filter((e: any) =>
      [e.input_cost_per_token, e.output_cost_per_token, e.cache_read_input_token_cost, e.cache_creation_input_token_cost].some(
        (p) => typeof p === 'number' && p > 0.01,
      ),
    ).length;
    expect(implausible).toBeGreaterThan(0);
    const { entryCount, skippedCount } = refreshCatalog.status;
    // Per-size DALL·E entries (`hd/1024-x-1792/dall-e-3`) also make their model's entry when the catalog has none.
    const folded = new Set(
      Object.keys(raw)
        .filter((key) => Number(raw[key].input_cost_per_pixel ?? 0) + Number(raw[key].output_cost_per_pixel ?? 0) > 0)
        .map((key) => key.split('/'))
        .filter((s) => s.length >= 2 && /^\d+-x-\d+$/.test(s.at(-2)!))
        .map((s) =>
          [...s.slice(0, -2).filter((part, i, all) => !(i === all.length - 1 && ['standard', 'hd', 'low', 'medium', 'high'].includes(part))), s.at(-1)].join(
            '/',
          ),
        )
        .filter((key) => !(key in raw)),
    ).size;
    expect(entryCount + skippedCount).toBe(models + folded);
    expect(skippedCount).toBeGreaterThanOrEqual(implausible);
    expect(skippedCount).toBeLessThan(40);
    console.log(`real snapshot: ${entryCount} entries stored, ${skippedCount} skipped by validation`);
    // The per-million prices typed into per-token fields (wandb) are not offered as presets.
    expect((await gw.admin<SearchData>(SEARCH, { text: 'wandb/deepseek-ai/DeepSeek-R1-0528' })).catalogSearch.total).toBe(0);
  });

  it('searches the full catalog by words, provider and capability', async () => {
    const { catalogSearch } = await gw.admin<SearchData>(SEARCH, { text: 'claude sonnet 4-5', provider: 'anthropic', capabilities: ['tools', 'vision'] });
    expect(catalogSearch.items.map((e) => e.key)).toContain('claude-sonnet-4-5-20250929');
    expect(catalogSearch.items.every((e) => e.provider === 'anthropic' && e.supportsTools && e.supportsVision)).toBe(true);
    const embeddings = (await gw.admin<SearchData>(SEARCH, { mode: 'embedding', provider: 'openai', take: 200 })).catalogSearch;
    expect(embeddings.items.map((e) => e.key)).toContain('text-embedding-3-small');
    const expected = Object.values(raw).filter((e: any) => e.mode === 'embedding' && e.litellm_provider === 'openai').length;
    expect(embeddings.total).toBe(expected);
  });

  it("imports DeepSeek models with the catalog's context window and prices", async () => {
    const provider = await createProvider(gw, { name: 'DeepSeek', type: 'deepseek', apiKey: 'sk-test-abcdefgh1234' });
    const { importModels } = await gw.admin<{ importModels: { created: unknown[] } }>(
      `mutation($id: ID!) { importModels(providerId: $id, models: [{ upstreamModel: "deepseek-chat" }, { upstreamModel: "deepseek-reasoner" }]) {
        created { name contextWindow maxOutputTokens inputPrice outputPrice cacheReadPrice catalogKey } } }`,
      { id: provider },
    );
    const entry = raw['deepseek/deepseek-chat'];
    expect(importModels.created[0]).toEqual({
      name: 'deepseek-chat',
      contextWindow: entry.max_input_tokens,
      maxOutputTokens: entry.max_output_tokens,
      inputPrice: entry.input_cost_per_token,
      outputPrice: entry.output_cost_per_token,
      cacheReadPrice: entry.cache_read_input_token_cost,
      catalogKey: 'deepseek/deepseek-chat',
    });
    expect(importModels.created[1]).toMatchObject({
      name: 'deepseek-reasoner',
      catalogKey: 'deepseek/deepseek-reasoner',
      inputPrice: raw['deepseek/deepseek-reasoner'].input_cost_per_token,
    });
  });

  it('re-fetches the unchanged file without rewriting it, and refuses a copy shrunk below half', async () => {
    expect((await gw.admin<RefreshData>(REFRESH)).refreshCatalog).toMatchObject({ ok: true, unchanged: true });
    const half = Object.fromEntries(Object.entries(raw).slice(0, 1000));
    catalog.reply = { status: 200, body: JSON.stringify(half) };
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog.ok).toBe(false);
    expect(refreshCatalog.error).toMatch(/catalog rejected: shrank from \d+ to \d+ entries/);
    expect(refreshCatalog.status.entryCount).toBeGreaterThan(2500);
  });
});
