import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, collectPageErrors, launchChromium, screenshot, signedInContext } from '../support/browser.js';
import { addUpstream, createModel } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, runNow, setMonitoring } from './helpers.js';

describe('public status page and admin health page', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let healthyId: string;
  let flakyId: string;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    const upstream = await addUpstream(gw, 'openai-chat', { model: 'gpt-4o-mini' });
    mock = upstream.mock;
    await createModel(gw, upstream.providerId, 'claude-haiku', 'gpt-4o');
    await createModel(gw, upstream.providerId, 'llama-3-70b', 'gpt-4o');
    await setMonitoring(gw, true);
    healthyId = await createTarget(gw, { name: 'GPT-4o mini', modelName: 'gpt-4o-mini', intervalSeconds: 3600 });
    flakyId = await createTarget(gw, { name: 'Claude Haiku', modelName: 'claude-haiku', intervalSeconds: 3600 });
    for (let i = 0; i < 24; i++) await runNow(gw, healthyId);
    mock.enqueue({ type: 'error', status: 503 }, { type: 'error', status: 503 });
    for (let i = 0; i < 6; i++) await runNow(gw, flakyId);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  async function anonymousPage(colorScheme: 'light' | 'dark' = 'light', width = 1280): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { page, errors: collectPageErrors(page) };
  }

  it('renders every target with its state and numbers without a login; a click opens paged run history', async () => {
    const { page, errors } = await anonymousPage();
    const summaryCalls: string[] = [];
    page.on('request', (r) => r.url().includes('/public/health/summary') && summaryCalls.push(r.url()));
    await page.goto(`${gw.url}/status`);
    const cards = page.getByTestId('status-target');
    await expect.poll(() => cards.count()).toBe(2);
    expect(page.url()).toBe(`${gw.url}/status`); // no redirect to /login

    const healthy = cards.filter({ hasText: 'GPT-4o mini' });
    expect(await healthy.getByTestId('state').getAttribute('data-state')).toBe('healthy');
    expect(await healthy.getByTestId('availability-24h').textContent()).toBe('100%');
    expect(await healthy.getByTestId('p50').textContent()).toMatch(/^\d[\d,]* ms$/);
    expect(await healthy.getByTestId('p95').textContent()).toMatch(/^\d[\d,]* ms$/);

    const flaky = cards.filter({ hasText: 'Claude Haiku' });
    expect(await flaky.getByTestId('state').getAttribute('data-state')).toBe('degraded');
    expect(await flaky.getByTestId('availability-24h').textContent()).toBe('66.67%');
    expect(await flaky.getByRole('list', { name: 'Errors in 24 h by type' }).textContent()).toContain('HTTP 5xx 2');
    expect(await flaky.locator('.cell.failure').count()).toBe(2);
    expect(await flaky.locator('.cell.success').count()).toBe(4);
    await expect.poll(() => page.getByTestId('status-banner').textContent()).toContain('Some models are degraded');

    await screenshot(page, 'status-light');

    await healthy.getByRole('button', { name: 'GPT-4o mini' }).click();
    const drawer = page.getByRole('dialog', { name: 'GPT-4o mini' });
    await expect.poll(() => drawer.getByTestId('run-row').count()).toBe(20);
    expect(await drawer.textContent()).toContain('1–20 of 24');
    await drawer.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => drawer.getByTestId('run-row').count()).toBe(4);
    expect(await drawer.textContent()).toContain('21–24 of 24');
    await screenshot(page, 'status-detail-light');
    // One poll per minute: nothing re-fetched the summary during these few seconds.
    expect(summaryCalls).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('looks right in dark mode and on a phone', async () => {
    const dark = await anonymousPage('dark');
    await dark.page.goto(`${gw.url}/status`);
    await expect.poll(() => dark.page.getByTestId('status-target').count()).toBe(2);
    await screenshot(dark.page, 'status-dark');
    const phone = await anonymousPage('light', 390);
    await phone.page.goto(`${gw.url}/status`);
    await expect.poll(() => phone.page.getByTestId('status-target').count()).toBe(2);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await screenshot(phone.page, 'status-mobile-light');
    expect([...dark.errors, ...phone.errors]).toEqual([]);
  });

  it('says the page is unavailable while monitoring is off', async () => {
    await setMonitoring(gw, false);
    try {
      const { page } = await anonymousPage();
      await page.goto(`${gw.url}/status`);
      await page.getByRole('heading', { name: 'Status page unavailable' }).waitFor();
      expect(await page.getByTestId('status-target').count()).toBe(0);
    } finally {
      await setMonitoring(gw, true);
    }
  });

  it('admin Health page: adds targets for all enabled models in one click', async () => {
    const context = await signedInContext(browser, await gw.adminToken(), { viewport: { width: 1366, height: 860 }, colorScheme: 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors = collectPageErrors(page);
    await page.goto(`${gw.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health', exact: true }).click();
    await page.getByRole('heading', { name: 'Health' }).waitFor();
    const rows = page.getByRole('table', { name: 'Health targets' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);

    await page.getByRole('button', { name: 'Add all enabled models' }).first().click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.filter({ hasText: 'llama-3-70b' }).count()).toBe(1);
    const targets = await gw.services.db.healthTarget.findMany({ orderBy: { name: 'asc' } });
    expect(targets.map((t) => t.modelName).sort()).toEqual(['claude-haiku', 'gpt-4o-mini', 'llama-3-70b']);

    // A check run from the page updates the row (through the healthUpdates subscription and the mutation).
    await page.getByRole('button', { name: 'Check llama-3-70b now' }).click();
    await expect.poll(() => rows.filter({ hasText: 'llama-3-70b' }).getByTestId('state').getAttribute('data-state')).toBe('healthy');
    await screenshot(page, 'health-light');
    expect(errors).toEqual([]);
  });
});
