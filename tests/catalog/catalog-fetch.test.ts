import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService, type CatalogClock } from '../../server/catalog/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  ENTRY,
  readFixture,
  REFRESH,
  SEARCH,
  startCatalogServer,
  STATUS,
  type CatalogServer,
  type CatalogStatusData,
  type RefreshData,
  type SearchData,
} from './catalog-server.js';

/** Valid entries in the fixture: 58 keys minus `sample_spec` minus four bad ones. */
const FIXTURE_VALID = 54;
const FIXTURE_SKIPPED = 4;

describe('LiteLLM catalog: fetch, store, search, refresh', () => {
  let catalog: CatalogServer;
  let gw: TestGateway;
  const storedRow = () => gw.services.db.catalogSnapshot.findUnique({ where: { id: 'litellm' } });

  beforeAll(async () => {
    catalog = await startCatalogServer(readFixture());
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0', CATALOG_FETCH_TIMEOUT_MS: '400', CATALOG_BUILTIN: 'false' });
  });
  afterAll(async () => {
    await gw?.stop();
    await catalog?.close();
  });

  it('starts without a copy and searches nothing', async () => {
    const data = await gw.admin<{ catalogStatus: CatalogStatusData; catalogSearch: { total: number } }>(`{ ${STATUS} catalogSearch(text: "gpt") { total } }`);
    expect(data.catalogStatus).toMatchObject({ fetchedAt: null, entryCount: 0, lastError: null, sourceUrl: catalog.url });
    expect(data.catalogSearch.total).toBe(0);
    expect(catalog.requests).toBe(0);
  });

  it('fetches, validates and stores the catalog, skipping and counting bad entries', async () => {
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog).toMatchObject({ ok: true, unchanged: false, error: null });
    expect(refreshCatalog.status).toMatchObject({ entryCount: FIXTURE_VALID, skippedCount: FIXTURE_SKIPPED, lastError: null });
    expect(refreshCatalog.status.fetchedAt).not.toBeNull();
    const row = await storedRow();
    expect(row?.entryCount).toBe(FIXTURE_VALID);
    expect(row?.data).toBe(readFixture());
    // Bad entries are not searchable.
    const bad = await gw.admin<SearchData>(SEARCH, { provider: 'fixture-bad' });
    expect(bad.catalogSearch.total).toBe(0);
  });

  it('normalizes entries: context window, prices per token, cache prices, capabilities', async () => {
    const { catalogSearch } = await gw.admin<SearchData>(SEARCH, { text: 'deepseek' });
    expect(catalogSearch.items.map((e) => e.key)).toEqual(['deepseek/deepseek-chat', 'deepseek/deepseek-reasoner']);
    expect(catalogSearch.items[0]).toMatchObject({
      provider: 'deepseek',
      mode: 'chat',
      contextWindow: 65536,
      maxOutputTokens: 8192,
      inputPrice: 2.7e-7,
      outputPrice: 1.1e-6,
      cacheReadPrice: 7e-8,
      cacheWritePrice: null,
      supportsTools: true,
      supportsVision: null,
    });
    // DeepSeek's own name of the cache-read price, and an explicit false.
    expect(catalogSearch.items[1]).toMatchObject({ cacheReadPrice: 1.4e-7, supportsTools: false, supportsReasoning: true });
    // Float token limits become integers; max_tokens stands in for a missing max_input_tokens.
    const grok = await gw.admin<SearchData>(SEARCH, { text: 'grok-4-fast' });
    expect(grok.catalogSearch.items[0]).toMatchObject({ contextWindow: 2000000, maxOutputTokens: 30000 });
    const llama = await gw.admin<SearchData>(SEARCH, { text: 'llama3.2' });
    expect(llama.catalogSearch.items[0]).toMatchObject({ contextWindow: 8192, inputPrice: 0 });
  });

  it('searches by words, provider, mode and capability, in pages', async () => {
    const search = async (vars: Record<string, unknown>) => (await gw.admin<SearchData>(SEARCH, vars)).catalogSearch;
    expect((await search({ text: 'GPT 4O' })).items.map((e) => e.key)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect((await search({ provider: 'anthropic' })).total).toBe(2);
    expect((await search({ mode: 'embedding' })).items.map((e) => e.key)).toEqual(['gemini/text-embedding-004', 'text-embedding-3-small']);
    const reasoning = await search({ capabilities: ['reasoning', 'vision'] });
    expect(reasoning.items.map((e) => e.key)).toEqual(['claude-sonnet-4-5-20250929', 'gemini/gemini-2.5-flash', 'gemini/gemini-2.5-pro']);
    expect((await search({ provider: 'openai', capabilities: ['reasoning'] })).items.map((e) => e.key)).toEqual(['o3-mini']);
    const first = await search({ provider: 'fixture', take: 15 });
    const third = await search({ provider: 'fixture', take: 15, skip: 30 });
    expect(first.total).toBe(40);
    expect(first.items).toHaveLength(15);
    expect(third.items.map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, i) => `fixture/filler-model-${31 + i}`));
    // An exact key ranks first among substring matches.
    expect((await search({ text: 'gpt-4o-mini' })).items[0].key).toBe('gpt-4o-mini');
    const facets = await gw.admin<{ catalogProviders: Array<{ name: string; count: number }>; catalogModes: Array<{ name: string; count: number }> }>(
      '{ catalogProviders { name count } catalogModes { name count } }',
    );
    expect(facets.catalogProviders[0]).toEqual({ name: 'fixture', count: 40 });
    expect(facets.catalogModes).toContainEqual({ name: 'embedding', count: 2 });
  });

  it('re-fetching an unchanged file only moves the fetch time', async () => {
    const before = await storedRow();
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog).toMatchObject({ ok: true, unchanged: true });
    const after = await storedRow();
    expect(after?.sha256).toBe(before?.sha256);
    expect(after!.fetchedAt.getTime()).toBeGreaterThanOrEqual(before!.fetchedAt.getTime());
    expect(catalog.requests).toBe(2);
  });

  const fixture = JSON.parse(readFixture());
  const malformed: [string, () => void, RegExp][] = [
    ['truncated JSON', () => (catalog.reply = { status: 200, body: readFixture().slice(0, 2000) }), /catalog rejected: not valid JSON/],
    [
      'a top-level array',
      () => (catalog.reply = { status: 200, body: JSON.stringify(Object.values(fixture)) }),
      /expected a JSON object of model entries, got an array/,
    ],
    [
      'wrong types in every entry',
      () =>
        (catalog.reply = {
          status: 200,
          body: JSON.stringify(Object.fromEntries(Object.keys(fixture).map((k) => [k, { litellm_provider: 7, max_tokens: 'x' }]))),
        }),
      /only 0 usable entries/,
    ],
    [
      'negative prices in most entries',
      () => {
        const copy = structuredClone(fixture);
        for (const e of Object.values<any>(copy)) if (typeof e === 'object') e.input_cost_per_token = -1e-6;
        catalog.reply = { status: 200, body: JSON.stringify(copy) };
      },
      /only 0 usable entries/,
    ],
    [
      'a copy with too few entries (below the minimum of 50)',
      () => {
        const keep = Object.entries(fixture)
          .filter(([k]) => !k.startsWith('fixture/'))
          .concat(
            Object.entries(fixture)
              .filter(([k]) => k.startsWith('fixture/'))
              .slice(0, 12),
          );
        const body = JSON.stringify(Object.fromEntries(keep));
        catalog.reply = { status: 200, body };
      },
      /only 26 usable entries \(at least 50 expected/,
    ],
    ['an HTTP 500', () => (catalog.reply = { status: 500, body: '{"error":"boom"}' }), /HTTP 500/],
    ['a server that never answers', () => (catalog.reply = { hang: true }), /timed out after 400 ms/],
  ];

  it.each(malformed)('keeps the last good copy on %s and reports the error', async (_name, arrange, expected) => {
    const before = await storedRow();
    arrange();
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog.ok).toBe(false);
    expect(refreshCatalog.error).toMatch(expected);
    expect(refreshCatalog.status).toMatchObject({ entryCount: FIXTURE_VALID, lastError: refreshCatalog.error });
    expect(refreshCatalog.status.fetchedAt).toBe(before!.fetchedAt.toISOString());
    // Nothing half-written: the stored row is byte for byte the previous one.
    expect(await storedRow()).toEqual(before);
    expect((await gw.admin<SearchData>(SEARCH, { text: 'deepseek-chat' })).catalogSearch.total).toBe(1);
    catalog.reply = { status: 200, body: readFixture() };
  });

  it('clears the error after the next good fetch', async () => {
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog).toMatchObject({ ok: true, error: null, status: { lastError: null } });
  });

  it('works offline from the stored copy after a restart', async () => {
    const dataDir = gw.dataDir;
    await gw.close();
    const offline = await startTestGateway({ LITELLM_CATALOG_URL: 'http://127.0.0.1:9/unreachable.json', CATALOG_REFRESH_HOURS: '0' }, dataDir);
    try {
      const data = await offline.admin<{ catalogStatus: CatalogStatusData; catalogSearch: { total: number } }>(
        `{ ${STATUS} catalogSearch(text: "claude") { total items { ${ENTRY} } } }`,
      );
      expect(data.catalogStatus).toMatchObject({ entryCount: FIXTURE_VALID, sourceUrl: catalog.url, lastError: null });
      expect(data.catalogSearch.total).toBe(2);
      const { refreshCatalog } = await offline.admin<RefreshData>(REFRESH);
      expect(refreshCatalog.ok).toBe(false);
      expect(refreshCatalog.error).toMatch(/cannot fetch http:\/\/127\.0\.0\.1:9/);
      expect((await offline.admin<{ catalogSearch: { total: number } }>('{ catalogSearch(text: "claude") { total } }')).catalogSearch.total).toBe(2);
    } finally {
      await offline.close();
    }
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0' }, dataDir);
  });

  it('refreshes on a daily schedule driven by the clock', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    let now = Date.now() + 3 * 3_600_000;
    const clock: CatalogClock = { now: () => now, schedule: (fn, ms) => (timers.push({ fn, ms }), () => {}) };
    const service = new CatalogService(gw.services.db, gw.services.logger, { url: catalog.url, timeoutMs: 2000, refreshIntervalMs: 24 * 3_600_000, clock });
    await service.load();
    service.start();
    // The stored copy is about 3 hours old: the next refresh is due in about 21 hours.
    expect(timers).toHaveLength(1);
    expect(timers[0].ms).toBeGreaterThan(20.9 * 3_600_000);
    expect(timers[0].ms).toBeLessThanOrEqual(21 * 3_600_000);
    const requests = catalog.requests;
    now += timers[0].ms;
    timers[0].fn();
    await expect.poll(() => timers.length).toBe(2);
    expect(catalog.requests).toBe(requests + 1);
    expect(timers[1].ms).toBe(24 * 3_600_000);
    expect(service.status().fetchedAt?.getTime()).toBe(now);
    await service.stop();
  });
});
