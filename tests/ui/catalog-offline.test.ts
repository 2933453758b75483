import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { closedPort } from '../support/proxy-fixture.js';

/** The catalog page of a gateway that cannot reach the catalog URL: the built-in copy fills it, and the page says so. */
describe('admin UI: catalog with no network', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    const url = `http://127.0.0.1:${await closedPort()}/model_prices_and_context_window.json`;
    gateway = await startTestGateway({ LITELLM_CATALOG_URL: url, CATALOG_REFRESH_HOURS: '0', CATALOG_FETCH_TIMEOUT_MS: '500' });
    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('lists the built-in entries and says where they come from', async () => {
    await page.goto(`${gateway.url}/catalog`);
    const origin = page.getByTestId('catalog-origin');
    await expect.poll(() => origin.textContent()).toMatch(/^Built-in copy: \d{3,} entries from LiteLLM's price list as shipped in llm-cost 1\.0\.5/);
    await page.getByLabel('Search').fill('gpt 4o');
    const table = page.getByRole('table', { name: 'Catalog entries' });
    await expect.poll(() => table.getByRole('row').nth(1).textContent()).toMatch(/^gpt-4o\s.*openai/);
    await screenshot(page, 'catalog-builtin');
  });

  it('keeps the built-in copy when Refresh fails, and names the setting to change', async () => {
    await page.getByRole('button', { name: 'Refresh now' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Last fetch failed' });
    await expect.poll(() => alert.textContent(), { timeout: 5000 }).toContain('The built-in copy is still in use.');
    expect(await alert.textContent()).toContain('LITELLM_CATALOG_URL');
    expect(await alert.textContent()).not.toContain('last good copy');
    expect(await page.getByRole('table', { name: 'Catalog entries' }).getByRole('row').count()).toBeGreaterThan(1);
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
