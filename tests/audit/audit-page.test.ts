import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createProvider } from '../support/admin.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

// The admin UI in a real browser: a key rotated from the keys list (new key shown once, the grace period flagged), then the audit log page.
describe('key rotation and the audit log in the admin UI', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1440, height: 900 } }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test('rotating from the list shows the new key once and flags the old key until its deadline; the audit page lists the rotation, secrets masked', async () => {
    const key = await createKey(gw, { name: 'ui-rotated' });
    await createProvider(gw, { name: 'ui-audited', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-ui-audit-secret-0123456789' });
    await page.goto(`${gw.url}/keys`);
    await page.getByRole('button', { name: 'Rotate ui-rotated' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    const shown = page.getByRole('dialog');
    await shown.getByText(/^sk-/).first().waitFor();
    const newKey = (await shown.getByText(/^sk-/).first().textContent())!.trim();
    expect(newKey).not.toBe(key.key);
    await page.keyboard.press('Escape');
    await page
      .getByRole('table', { name: 'Virtual keys' })
      .getByText(/Previous key works until/)
      .waitFor();

    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).getAttribute('href')).toBe('/audit');
    await page.goto(`${gw.url}/audit`);
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.getByText('rotateVirtualKey').waitFor();
    await table.getByText('createProvider').waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('admin@example.com');
    expect(text).not.toContain('sk-ui-audit-secret-0123456789');
    expect(text).not.toContain(newKey);

    // Filtering by action narrows the list.
    await page.getByLabel('Action').fill('rotate');
    await expect.poll(async () => table.getByRole('row').count()).toBe(2); // header + the one rotation
    expect(pageErrors).toEqual([]);
  });
});
