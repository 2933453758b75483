import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestGateway } from '../support/gateway.js';
import { createSeedKey, openSeededUi, type SeededUi } from '../support/seeded-ui.js';

const DAY_MS = 86_400_000;

/**
 * The dashboard's period over seeded request logs of known ages (a minute, 3, 20 and 40 days old):
 * the totals and top lists cover today, the last 7 or the last 30 local days.
 */
describe('admin UI: dashboard period', () => {
  let gateway: TestGateway;
  let ui: SeededUi | undefined;
  let page: Page;
  let pageErrors: string[];
  const now = Date.now();
  const ages: Record<string, number> = { minute: 60_000, threeDays: 3 * DAY_MS, twentyDays: 20 * DAY_MS, fortyDays: 40 * DAY_MS };

  /** The rows a period holds, by the page's own rule: from local midnight of its first day. */
  function expected(days: number): string[] {
    const today = new Date(now);
    const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1)).getTime();
    return Object.keys(ages)
      .filter((name) => now - ages[name] >= from)
      .sort();
  }

  beforeAll(async () => {
    ui = await openSeededUi(async (gw) => {
      const key = await createSeedKey(gw, 'app');
      return Object.entries(ages).map(([name, age]) => ({ createdAt: new Date(now - age), key, model: `model-${name}` }));
    });
    ({ gateway, page, pageErrors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
  });

  const requests = () => page.getByTestId('metric-requests-value').textContent();
  const topModels = async () =>
    (await page.getByRole('table', { name: 'Top models' }).locator('tbody tr').allTextContents())
      .map((t) => /model-(\w+)/.exec(t)?.[1])
      .filter(Boolean)
      .sort();

  it('shows today by default, then the last 7 and 30 days', async () => {
    await page.goto(`${gateway.url}/`);
    await expect.poll(requests, { timeout: 5000 }).toBe(String(expected(1).length));
    expect(await page.getByTestId('metric-requests').textContent()).toContain('Requests today');
    expect(await topModels()).toEqual(expected(1));

    await page.getByLabel('Period').selectOption('7d');
    await expect.poll(requests).toBe(String(expected(7).length));
    expect(await page.getByTestId('metric-requests').textContent()).toContain('Requests · Last 7 days');
    await expect.poll(topModels).toEqual(expected(7));
    expect(expected(7)).toContain('threeDays');

    await page.getByLabel('Period').selectOption('30d');
    await expect.poll(requests).toBe(String(expected(30).length));
    await expect.poll(topModels).toEqual(expected(30));
    expect(expected(30)).toEqual(['minute', 'threeDays', 'twentyDays']);
    expect(await page.getByTestId('metric-cost-value').textContent()).toBe('$0.03');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
