import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, logIn, openUi, screenshot } from '../support/browser.js';
import { readFixture, REFRESH, startCatalogServer, type CatalogServer } from './catalog-server.js';
import { createProvider, createModel } from '../support/admin.js';

describe('catalog in the admin UI', () => {
  let gw: TestGateway;
  let catalog: CatalogServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    catalog = await startCatalogServer(readFixture());
    gw = await startTestGateway({ LITELLM_CATALOG_URL: catalog.url, CATALOG_REFRESH_HOURS: '0' });
    await gw.admin(REFRESH);
    const provider = await createProvider(gw, { name: 'DeepSeek', type: 'deepseek', apiKey: 'sk-test-abcdefgh1234' });
    await createModel(gw, provider, 'deepseek-chat', 'deepseek-chat');
    ({ browser, page, pageErrors } = await openUi({ viewport: { width: 1366, height: 860 }, colorScheme: 'light' }));
    await logIn(page, gw.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${gw.url}/`);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await catalog?.close();
  });

  it('searches the catalog with filters', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Model catalog' }).click();
    await page.waitForURL(/\/catalog$/);
    await expect.poll(() => page.getByTestId('catalog-status').textContent()).toContain('54 entries');
    await page.getByLabel('Search').fill('deepseek');
    const table = page.getByRole('table', { name: 'Catalog entries' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3); // header + 2
    const row = table.getByRole('row', { name: /deepseek\/deepseek-chat/ });
    expect(await row.textContent()).toContain('$0.27');
    await page.getByLabel('reasoning').check();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect(await table.textContent()).toContain('deepseek/deepseek-reasoner');
    await page.getByLabel('reasoning').uncheck();
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Provider').selectOption('anthropic');
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    await screenshot(page, 'catalog-light');
  });

  it('applies a preset to a model after showing the changes, then shows its prices and context window', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models', exact: true }).click();
    await page.waitForURL(/\/models$/);
    const row = page.getByRole('table', { name: 'Models' }).getByRole('row', { name: /deepseek-chat/ });
    await row.getByRole('button', { name: 'Apply catalog preset to deepseek-chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply catalog preset to deepseek-chat' });
    await expect.poll(() => dialog.textContent()).toContain('deepseek/deepseek-chat');
    const diff = dialog.getByRole('table', { name: 'Preset changes' });
    expect(await diff.getByRole('row', { name: /Context window/ }).textContent()).toContain('65.5K');
    expect(await diff.getByRole('row', { name: /Input \$\/1M/ }).textContent()).toContain('$0.27');
    await screenshot(page, 'catalog-preset-diff-light');
    await dialog.getByRole('button', { name: /Apply \d+ changes/ }).click();
    await expect.poll(() => page.getByRole('dialog', { name: /Apply catalog preset/ }).count()).toBe(0);
    await expect.poll(() => row.textContent()).toContain('65.5K');
    const text = await row.textContent();
    expect(text).toContain('$0.27');
    expect(text).toContain('$1.1');
    expect(text).toContain('tools');
    await screenshot(page, 'catalog-models-after-preset-light');
    expect(pageErrors).toEqual([]);
  });
});
