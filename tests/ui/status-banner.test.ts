import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { addUpstream, createModel } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, publicGet, runNow, setMonitoring } from '../health/helpers.js';

/** The public status page: the worst state in the banner, display names only, bars per day with dates, whole errors. */
describe('public status page: banner, names, days', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const LONG_ERROR = `upstream answered 503: ${'the service is temporarily overloaded, please retry later; '.repeat(2)}end-of-message`;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    const upstream = await addUpstream(gw, 'openai-chat', { model: 'internal-gpt-prod-eu' });
    mock = upstream.mock;
    await createModel(gw, upstream.providerId, 'internal-claude-canary', 'gpt-4o');
    await setMonitoring(gw, true);
    const healthy = await createTarget(gw, { name: 'Chat (fast)', modelName: 'internal-gpt-prod-eu', intervalSeconds: 3600 });
    const broken = await createTarget(gw, { name: 'Chat (smart)', modelName: 'internal-claude-canary', intervalSeconds: 3600 });
    for (let i = 0; i < 4; i++) await runNow(gw, healthy);
    // Three failures in a row: down.
    for (let i = 0; i < 3; i++) mock.enqueue({ type: 'error', status: 503, body: { error: { message: LONG_ERROR, type: 'server_error' } } });
    for (let i = 0; i < 3; i++) await runNow(gw, broken);
    ({ browser, page, pageErrors: errors } = await openUi({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it('puts Down in the banner when one target is down and another healthy', async () => {
    const { body } = await publicGet(gw, '/public/health/summary');
    expect(body).toMatchObject({ state: 'down', states: { healthy: 1, down: 1 } });
    await page.goto(`${gw.url}/status`);
    const banner = page.getByTestId('status-banner');
    await expect.poll(() => banner.textContent()).toContain('Some models are down');
    expect(await banner.getAttribute('class')).toContain('down');
    await screenshot(page, 'status-down');
  });

  it('shows the display names the admin set, never the internal model names', async () => {
    const cards = page.getByTestId('status-target');
    await expect.poll(() => cards.count()).toBe(2);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('Chat (fast)');
    expect(text).toContain('Chat (smart)');
    expect(text).not.toContain('internal-gpt-prod-eu');
    expect(text).not.toContain('internal-claude-canary');
  });

  it('draws uptime per day with a time axis ending today', async () => {
    const card = page.getByTestId('status-target').filter({ hasText: 'Chat (smart)' });
    const bar = card.getByTestId('daily-uptime');
    const cells = bar.locator('.cell');
    expect(await cells.count()).toBe(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(await cells.last().getAttribute('data-day')).toBe(today);
    expect(await cells.last().getAttribute('data-level')).toBe('down');
    expect(await cells.first().getAttribute('data-level')).toBe('none');
    const axis = (await bar.locator('.axis').textContent()) ?? '';
    expect(axis).toContain('Today');
    const healthy = page.getByTestId('status-target').filter({ hasText: 'Chat (fast)' });
    expect(await healthy.getByTestId('daily-uptime').locator('.cell').last().getAttribute('data-level')).toBe('up');
  });

  it('shows the whole error message in the check history', async () => {
    await page.getByRole('button', { name: 'Chat (smart)' }).click();
    const drawer = page.getByRole('dialog');
    const cell = drawer.locator('td.message').first();
    await expect.poll(() => cell.textContent()).toContain('end-of-message');
    expect(await drawer.textContent()).not.toContain('internal-claude-canary');
    const style = await cell.evaluate((el) => ({ overflow: getComputedStyle(el).textOverflow, wrap: getComputedStyle(el).whiteSpace }));
    expect(style).toEqual({ overflow: 'clip', wrap: 'pre-wrap' });
    await screenshot(page, 'status-history');
  });

  it('raised no errors in the browser', () => {
    expect(errors).toEqual([]);
  });
});
