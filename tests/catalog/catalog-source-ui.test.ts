import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { closedPort } from '../support/proxy-fixture.js';
import { FIXTURE_PATH, largeCatalog, readFixture, startCatalogServer, type CatalogServer } from './catalog-server.js';

/**
 * Settings → Catalog source on a gateway with no internet: the environment's URL is a closed port,
 * the only catalog server is a loopback one. The admin points the catalog at it, sees a failing fetch
 * name the setting to change, uploads a file, and falls back to the built-in copy.
 */
describe('admin UI: catalog source setting', () => {
  let gateway: TestGateway;
  let catalog: CatalogServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    catalog = await startCatalogServer(readFixture());
    const unreachable = `http://127.0.0.1:${await closedPort()}/model_prices_and_context_window.json`;
    gateway = await startTestGateway({ LITELLM_CATALOG_URL: unreachable, CATALOG_REFRESH_HOURS: '0', CATALOG_FETCH_TIMEOUT_MS: '1000' });
    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await catalog?.close();
  });

  const status = () => page.getByTestId('catalog-source-status').textContent();
  const card = () => page.locator('#catalog-source');

  async function save() {
    await card().getByRole('button', { name: 'Save and refresh' }).click();
  }

  it('says the built-in copy is in use and what the default source fetches', async () => {
    await page.goto(`${gateway.url}/settings`);
    await expect.poll(status).toMatch(/^In use: the built-in copy, [\d,]{3,} entries as shipped in llm-cost/);
    expect(await card().getByLabel('Refresh from').inputValue()).toBe('DEFAULT');
    expect(await card().textContent()).toContain('(set by LITELLM_CATALOG_URL)');
  });

  it('fetches from a custom address once saved', async () => {
    await card().getByLabel('Refresh from').selectOption('URL');
    await card().getByLabel('Address').fill('ftp://nowhere');
    await save();
    expect(await card().getByRole('alert').textContent()).toContain('Enter an http(s):// or file:// address');
    expect(catalog.requests).toBe(0);

    await card().getByLabel('Address').fill(catalog.url);
    await save();
    await expect.poll(status).toMatch(new RegExp(`^In use: a fetched copy, 54 entries from ${catalog.url.replace(/[.]/g, '\\.')}, fetched `));
    expect(catalog.requests).toBe(1);
    const api = await gateway.admin<{ catalogStatus: { sourceKind: string; sourceSet: boolean; urlSetting: string; configuredUrl: string } }>(
      '{ catalogStatus { sourceKind sourceSet urlSetting configuredUrl } }',
    );
    expect(api.catalogStatus).toEqual({ sourceKind: 'URL', sourceSet: true, urlSetting: 'catalogSource', configuredUrl: catalog.url });
    await screenshot(page, 'settings-catalog-source');
  });

  it('names the setting to change when a fetch fails, and keeps the copy in use', async () => {
    catalog.reply = { status: 503, body: 'unavailable' };
    await page.goto(`${gateway.url}/catalog`);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Last fetch failed' });
    await expect.poll(() => alert.textContent(), { timeout: 5000 }).toContain(`HTTP 503 from ${catalog.url}`);
    const hint = alert.getByTestId('catalog-setting-hint');
    expect(await hint.textContent()).toContain('Settings → Catalog source');
    expect(await hint.textContent()).toContain('catalogSource');
    expect(await hint.textContent()).not.toContain('LITELLM_CATALOG_URL');
    expect(await alert.textContent()).toContain('The last good copy is still in use.');

    await hint.getByRole('link', { name: 'Settings → Catalog source' }).click();
    await page.waitForURL(/\/settings#catalog-source$/);
    expect(await card().getByTestId('catalog-source-error').textContent()).toContain('HTTP 503');
    expect(await status()).toContain('54 entries');
  });

  it('refuses an uploaded file that is not a catalog, then stores one that is', async () => {
    await card().getByLabel('Refresh from').selectOption('UPLOAD');
    await card()
      .getByLabel('Catalog file')
      .setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"not": "a catalog"') });
    await save();
    await expect.poll(() => page.getByText(/catalog rejected: not valid JSON/).count()).toBeGreaterThan(0);
    expect(await status()).toMatch(/^In use: a fetched copy, 54 entries/);

    // A file the size of LiteLLM's real one (about 1.4 MB, above the 1 MB GraphQL body limit) goes up whole.
    await card()
      .getByLabel('Catalog file')
      .setInputFiles({ name: 'model_prices_and_context_window.json', mimeType: 'application/json', buffer: Buffer.from(largeCatalog()) });
    await save();
    await expect.poll(status).toMatch(/^In use: an uploaded copy, [\d,]{4,} entries from the file model_prices_and_context_window\.json, uploaded /);

    const requestsBefore = catalog.requests;
    await card().getByLabel('Catalog file').setInputFiles(FIXTURE_PATH);
    await save();
    await expect.poll(status).toMatch(/^In use: an uploaded copy, 54 entries from the file catalog-small\.json, uploaded /);
    expect(catalog.requests).toBe(requestsBefore);

    // Nothing to fetch: the catalog page shows the uploaded copy and no Refresh button.
    await page.goto(`${gateway.url}/catalog`);
    await expect.poll(() => page.getByTestId('catalog-origin').textContent()).toContain('Uploaded copy: 54 entries from catalog-small.json');
    expect(await page.getByRole('button', { name: 'Refresh now' }).count()).toBe(0);
    await page.getByLabel('Search').fill('deepseek');
    await expect.poll(() => page.getByRole('table', { name: 'Catalog entries' }).getByRole('row').count()).toBe(3);
  });

  it('switches to the built-in copy without fetching', async () => {
    await page.goto(`${gateway.url}/settings`);
    await card().getByLabel('Refresh from').selectOption('BUILTIN');
    await save();
    await expect.poll(status).toMatch(/^In use: the built-in copy, [\d,]{3,} entries/);
    await page.goto(`${gateway.url}/catalog`);
    await expect.poll(() => page.getByTestId('catalog-status').textContent()).toContain('nothing is fetched');
    await page.getByLabel('Search').fill('gpt 4o');
    await expect.poll(() => page.getByRole('table', { name: 'Catalog entries' }).getByRole('row').nth(1).textContent()).toMatch(/^gpt-4o\s/);
  });

  it('goes back to the environment URL, whose failure names LITELLM_CATALOG_URL as well', async () => {
    await page.goto(`${gateway.url}/settings`);
    await card().getByLabel('Refresh from').selectOption('DEFAULT');
    await save();
    await expect.poll(() => card().getByTestId('catalog-source-error').count()).toBe(1);
    expect(await card().getByTestId('catalog-source-error').textContent()).toMatch(/cannot fetch http:\/\/127\.0\.0\.1/);
    // The uploaded copy is still stored; the built-in one no longer is the chosen source.
    expect(await status()).toMatch(/^In use: an uploaded copy/);
    // Each saved source is one audited settings change (URL, two uploads, built-in, default; the refused file is none).
    const audited = async () => {
      const data = await gateway.admin<{ auditEvents: { edges: { node: { entityName: string | null } }[] } }>(
        '{ auditEvents(first: 50, entity: "settings") { edges { node { entityName } } } }',
      );
      return data.auditEvents.edges.filter((e) => e.node.entityName === 'catalogSource').length;
    };
    await expect.poll(audited).toBe(5);
  });

  it('takes uploads over POST /admin/catalog/upload from admins only', async () => {
    const upload = (headers: Record<string, string>, body: string) =>
      fetch(`${gateway.url}/admin/catalog/upload?name=x.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const anonymous = await upload({}, readFixture());
    expect(anonymous.status).toBe(401);
    const admin = { authorization: `Bearer ${await gateway.adminToken()}` };
    const refused = await upload(admin, '[]');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'text: catalog rejected: expected a JSON object of model entries, got an array',
    );
    const stored = await upload(admin, readFixture());
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as { status: { origin: string; sourceUrl: string } }).status).toMatchObject({ origin: 'uploaded', sourceUrl: 'x.json' });
  });

  it('raised no errors in the browser', () => {
    // The refused file is a 400 the page shows; the browser logs that as a failed resource, once.
    expect(pageErrors.filter((e) => e.includes('status of 400'))).toHaveLength(1);
    expect(pageErrors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });
});
