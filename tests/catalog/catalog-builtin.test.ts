import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { closedPort } from '../support/proxy-fixture.js';
import {
  REFRESH,
  SEARCH,
  STATUS,
  readFixture,
  startCatalogServer,
  type CatalogServer,
  type CatalogStatusData,
  type RefreshData,
  type SearchData,
} from './catalog-server.js';
import { createProvider } from '../support/admin.js';

const STATUS_EXTRA = 'catalogStatus { origin builtinSource urlSetting configuredUrl }';
/** STATUS_EXTRA's fields. */
type Origin = { origin: string; builtinSource: string | null; urlSetting: string; configuredUrl: string | null };
const LIST = `query($id: ID!) { upstreamModels(providerId: $id) { id catalog { key contextWindow inputPrice } } }`;

/** No network: the catalog URL points at a closed port, so only the copy shipped with the gateway can answer. */
describe('LiteLLM catalog: the built-in copy', () => {
  let gw: TestGateway;
  let upstream: MockUpstream;
  let catalog: CatalogServer | undefined;
  let offlineUrl: string;

  beforeAll(async () => {
    offlineUrl = `http://127.0.0.1:${await closedPort()}/model_prices_and_context_window.json`;
    gw = await startTestGateway({ LITELLM_CATALOG_URL: offlineUrl, CATALOG_REFRESH_HOURS: '0', CATALOG_FETCH_TIMEOUT_MS: '500' });
    upstream = await startOpenAIChatMock();
  });
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await catalog?.close();
  });

  it('has entries from the first start, and says where they come from', async () => {
    const data = await gw.admin<{ extra: Origin; catalogStatus: CatalogStatusData }>(
      `{ ${STATUS} ${STATUS_EXTRA.replace('catalogStatus', 'extra: catalogStatus')} }`,
    );
    expect(data.extra).toEqual({ origin: 'builtin', builtinSource: 'llm-cost 1.0.5', urlSetting: 'LITELLM_CATALOG_URL', configuredUrl: offlineUrl });
    expect(data.catalogStatus.entryCount).toBeGreaterThan(400);
    expect(data.catalogStatus.fetchedAt).toBeNull();
    const { catalogSearch } = await gw.admin<SearchData>(SEARCH, { text: 'gpt-4o' });
    // The provider's own entry first, resellers (Azure, OpenRouter) after it.
    expect(catalogSearch.items[0]).toMatchObject({ key: 'gpt-4o', provider: 'openai', contextWindow: 128000 });
    const keys: string[] = catalogSearch.items.map((e: { key: string }) => e.key);
    expect(keys.indexOf('azure/gpt-4o')).toBeGreaterThan(keys.indexOf('gpt-4o-mini'));
  });

  it('gives imported models prices with no network', async () => {
    const providerId = await createProvider(gw, { name: 'OpenAI', type: 'openai', baseUrl: upstream.url, apiKey: 'upstream-secret-key' });
    const { upstreamModels } = await gw.admin<{ upstreamModels: Array<{ id: string; catalog: { inputPrice: number | null } | null }> }>(LIST, {
      id: providerId,
    });
    const gpt4o = upstreamModels.find((m: { id: string }) => m.id === 'gpt-4o');
    expect(gpt4o?.catalog).toMatchObject({ key: 'gpt-4o', contextWindow: 128000 });
    expect(gpt4o?.catalog?.inputPrice).toBeGreaterThan(0);
  });

  it('keeps the built-in copy when a fetch fails, and names the setting to change', async () => {
    const { refreshCatalog } = await gw.admin<RefreshData>(REFRESH);
    expect(refreshCatalog.ok).toBe(false);
    expect(refreshCatalog.status.lastError).toMatch(/cannot fetch|ECONNREFUSED/);
    const data = await gw.admin<{ catalogStatus: Origin; catalogSearch: { total: number } }>(
      `{ ${STATUS_EXTRA} catalogSearch(text: "gpt-4o-mini") { total } }`,
    );
    expect(data.catalogStatus.origin).toBe('builtin');
    expect(data.catalogStatus.urlSetting).toBe('LITELLM_CATALOG_URL');
    expect(data.catalogSearch.total).toBeGreaterThan(0);
  });

  it('gives way to a fetched copy once one is stored', async () => {
    catalog = await startCatalogServer(readFixture());
    const gw2 = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0' });
    try {
      expect((await gw2.admin<{ catalogStatus: Origin }>(`{ ${STATUS_EXTRA} }`)).catalogStatus.origin).toBe('builtin');
      const { refreshCatalog } = await gw2.admin<RefreshData>(REFRESH);
      expect(refreshCatalog.ok).toBe(true);
      const data = await gw2.admin<{ catalogStatus: Origin; plain: CatalogStatusData }>(
        `{ ${STATUS_EXTRA} ${STATUS.replace('catalogStatus', 'plain: catalogStatus')} }`,
      );
      expect(data.catalogStatus).toMatchObject({ origin: 'fetched', builtinSource: null });
      expect(data.plain.sourceUrl).toBe(catalog.url);
    } finally {
      await gw2.stop();
    }
  });

  it('can be turned off (CATALOG_BUILTIN=false): then the catalog starts empty', async () => {
    const gw3 = await startTestGateway({ LITELLM_CATALOG_URL: offlineUrl, CATALOG_REFRESH_HOURS: '0', CATALOG_BUILTIN: 'false' });
    try {
      const data = await gw3.admin<{ catalogStatus: Origin; catalogSearch: { total: number } }>(`{ ${STATUS_EXTRA} catalogSearch(text: "gpt") { total } }`);
      expect(data.catalogStatus.origin).toBe('none');
      expect(data.catalogSearch.total).toBe(0);
    } finally {
      await gw3.stop();
    }
  });
});
