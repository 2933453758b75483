import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot, signedInContext } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createModel, createProvider } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';

/** Forms and small things operators trip over: live validation, virtual models in key limits, words for circuits, 404, phones. */
describe('admin UI: forms and polish', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    const alpha = await createModel(gateway, providerId, 'alpha', 'alpha-upstream');
    await createModel(gateway, providerId, 'beta', 'beta-upstream');
    await createVirtualModel(gateway, { name: 'chat-route', strategy: 'FAILOVER', targets: [{ modelId: alpha, priority: 0 }] });
    ({ browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  it('clears validation errors as the fields become valid, also when a preset fills them', async () => {
    await page.goto(`${gateway.url}/providers`);
    await page.getByRole('button', { name: 'New provider' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'New provider' });
    await page.getByRole('button', { name: 'Create provider' }).click();
    await drawer.getByText('Choose a provider type', { exact: true }).waitFor();
    expect(await drawer.getByText('Name is required').count()).toBe(1);
    expect(await drawer.getByText('Base URL must start with http:// or https://').count()).toBe(1);

    // The preset fills the name and the base URL: every error goes without another submit.
    await drawer.getByLabel('Type').selectOption('openai');
    await expect.poll(() => drawer.getByText('Name is required').count()).toBe(0);
    expect(await drawer.getByText('Choose a provider type', { exact: true }).count()).toBe(0);
    expect(await drawer.getByText('Base URL must start with http:// or https://').count()).toBe(0);

    // Typing makes an error come back and go again.
    await drawer.getByLabel('Name').fill('');
    await drawer.getByText('Name is required').waitFor();
    await drawer.getByLabel('Name').fill('OpenAI main');
    await expect.poll(() => drawer.getByText('Name is required').count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('limits a key to a virtual model from the key form', async () => {
    await page.goto(`${gateway.url}/keys`);
    await page.getByRole('button', { name: 'New key' }).first().click();
    const drawer = page.getByRole('dialog', { name: 'New virtual key' });
    await drawer.getByLabel('Name').fill('routed-only');
    // Plain models and virtual models are both offered.
    await drawer.getByRole('button', { name: 'alpha', exact: true }).waitFor();
    await drawer.getByRole('button', { name: 'chat-route', exact: true }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Virtual key created' });
    const key = ((await dialog.getByTestId('created-key').textContent()) ?? '').trim();
    await dialog.getByRole('button', { name: 'I have copied the key' }).click();

    const data = await gateway.admin<{ virtualKeys: { nodes: { name: string; allowedModels: string[] | null }[] } }>(
      '{ virtualKeys(first: 500) { nodes { name allowedModels } } }',
    );
    expect(data.virtualKeys.nodes.find((k) => k.name === 'routed-only')?.allowedModels).toEqual(['chat-route']);

    const call = (model: string) => chatWithKey(gateway, key, model);
    expect((await call('chat-route')).status).toBe(200);
    expect((await call('beta')).status).toBe(403);
  });

  it('says what a circuit state means in words', async () => {
    await page.goto(`${gateway.url}/virtual-models`);
    const badge = page.getByTestId('circuit-state').first();
    await badge.waitFor();
    expect(await badge.getAttribute('data-state')).toBe('CLOSED');
    expect((await badge.textContent())?.trim()).toBe('Healthy');
    expect(await page.getByText('CLOSED', { exact: true }).count()).toBe(0);
  });

  it('shows a styled 404 for unknown pages, with a way back', async () => {
    await page.goto(`${gateway.url}/no-such-page`);
    const card = page.getByTestId('error-page');
    await card.waitFor();
    expect(await card.getByRole('heading', { name: 'This page does not exist' }).count()).toBe(1);
    expect(await card.textContent()).toContain('404');
    expect(await card.textContent()).toContain('/no-such-page');
    // Styled: the card has the surface background and a border, not the browser default.
    const border = await card.evaluate((el) => getComputedStyle(el).borderTopWidth);
    expect(border).toBe('1px');
    await screenshot(page, 'not-found');
    await card.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  });

  it('turns tables into cards on a phone, without sideways scrolling', async () => {
    const phone = await signedInContext(browser, await gateway.adminToken(), { viewport: { width: 390, height: 844 }, isMobile: true, colorScheme: 'light' });
    const mobile = await phone.newPage();
    await mobile.goto(`${gateway.url}/models`);
    const row = mobile.getByRole('table', { name: 'Models' }).getByRole('row', { name: /alpha/ });
    await row.waitFor();
    expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    // Each cell carries its column heading.
    const label = await row.locator('td[data-column="provider"]').evaluate((el) => getComputedStyle(el, '::before').content);
    expect(label).toBe('"Provider"');
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(mobile, 'models-mobile-cards');
    await phone.close();
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
