import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { createKey, createProvider } from '../support/proxy-fixture.js';

const DAY_MS = 86_400_000;

/**
 * The Logs page over seeded rows of known ages (an hour, 3, 20 and 40 days old): the time range
 * narrows the list and the CSV export to exactly the rows inside it.
 */
describe('admin UI: logs by date range', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const ages = { hour: 3_600_000, threeDays: 3 * DAY_MS, twentyDays: 20 * DAY_MS, fortyDays: 40 * DAY_MS };
  const table = () => page.getByRole('table', { name: 'Request logs' });
  const rows = () => table().locator('tbody tr');

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const key = await createKey(gateway, { name: 'app' });
    const now = Date.now();
    await gateway.services.db.requestLog.createMany({
      data: Object.entries(ages).map(([name, age]) => ({
        createdAt: new Date(now - age),
        virtualKeyId: key.id,
        keyName: 'app',
        keyPrefix: key.key.slice(0, 12),
        clientApi: 'chat-completions',
        requestedModel: `model-${name}`,
        targetModel: `model-${name}`,
        providerId,
        providerName: 'Mock OpenAI',
        attempts: 1,
        status: 200,
        latencyMs: 100,
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.01,
      })),
    });
    ({ browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1366, height: 900 },
      colorScheme: 'light',
      acceptDownloads: true,
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
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
