import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestGateway } from '../support/gateway.js';
import { createSeedKey, openSeededUi, type SeededUi } from '../support/seeded-ui.js';

const DAY_MS = 86_400_000;

/**
 * The Logs page over seeded rows of known ages (an hour, 3, 20 and 40 days old): the time range
 * narrows the list and the CSV export to exactly the rows inside it.
 */
describe('admin UI: logs by date range', () => {
  let gateway: TestGateway;
  let ui: SeededUi | undefined;
  let page: Page;
  let pageErrors: string[];
  const ages = { hour: 3_600_000, threeDays: 3 * DAY_MS, twentyDays: 20 * DAY_MS, fortyDays: 40 * DAY_MS };
  const table = () => page.getByRole('table', { name: 'Request logs' });
  const rows = () => table().locator('tbody tr');

  beforeAll(async () => {
    const now = Date.now();
    ui = await openSeededUi(
      async (gw) => {
        const key = await createSeedKey(gw, 'app');
        return Object.entries(ages).map(([name, age]) => ({ createdAt: new Date(now - age), key, model: `model-${name}` }));
      },
      { acceptDownloads: true },
    );
    ({ gateway, page, pageErrors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
  });

  const models = async () =>
    (await rows().allTextContents())
      .map((t) => /model-(\w+)/.exec(t)?.[1])
      .filter(Boolean)
      .sort();

  it('shows every row for any time, then narrows to 24 hours, 7 days and 30 days', async () => {
    await page.goto(`${gateway.url}/logs`);
    await expect.poll(models, { timeout: 5000 }).toEqual(['fortyDays', 'hour', 'threeDays', 'twentyDays']);
    await page.getByLabel('Time range').selectOption('24h');
    await expect.poll(models).toEqual(['hour']);
    await page.getByLabel('Time range').selectOption('7d');
    await expect.poll(models).toEqual(['hour', 'threeDays']);
    await page.getByLabel('Time range').selectOption('30d');
    await expect.poll(models).toEqual(['hour', 'threeDays', 'twentyDays']);
  });

  it('takes custom days and exports only what they hold', async () => {
    await page.getByLabel('Time range').selectOption('custom');
    const day = (age: number) => new Date(Date.now() - age).toISOString().slice(0, 10);
    await page.getByLabel('From (UTC day)').fill(day(ages.twentyDays + DAY_MS));
    await page.getByLabel('To (UTC day, included)').fill(day(ages.twentyDays - DAY_MS));
    await expect.poll(models).toEqual(['twentyDays']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-logs-csv').click()]);
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('model-twentyDays');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
