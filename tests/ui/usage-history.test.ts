import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestGateway } from '../support/gateway.js';
import { screenshot } from '../support/browser.js';
import { createSeedKey, openSeededUi, type SeedRow, type SeededUi } from '../support/seeded-ui.js';

const DAY_MS = 86_400_000;

/**
 * The usage history over seeded request logs: 30 days of traffic of two keys, one request a day
 * each (alpha costs $0.01, beta $0.02), so every number on the page is known in advance.
 */
describe('admin UI: usage history', () => {
  let gateway: TestGateway;
  let ui: SeededUi | undefined;
  let page: Page;
  let pageErrors: string[];
  let alphaKeyId: string;

  beforeAll(async () => {
    ui = await openSeededUi(
      async (gw) => {
        const alpha = await createSeedKey(gw, 'alpha-app');
        const beta = await createSeedKey(gw, 'beta-app');
        alphaKeyId = alpha.id;
        const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
        const rows: SeedRow[] = [];
        for (let d = 0; d < 30; d++) {
          // Past days at 00:30 UTC (never inside the last 24 hours); today's a few minutes ago.
          const createdAt = d === 0 ? new Date(Date.now() - 5 * 60_000) : new Date(today - d * DAY_MS + 30 * 60_000);
          rows.push({ createdAt, key: alpha, model: 'gpt-a', costUsd: 0.01 }, { createdAt, key: beta, model: 'gpt-b', costUsd: 0.02 });
        }
        // One older row outside the 30 days, which must not be counted.
        rows.push({ ...rows[0], createdAt: new Date(today - 40 * DAY_MS) });
        return rows;
      },
      { acceptDownloads: true },
    );
    ({ gateway, page, pageErrors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
  });

  const breakdown = () => page.getByRole('table', { name: 'Breakdown' });

  it('charts 30 days of spend per key from the seeded logs', async () => {
    await page.goto(`${gateway.url}/usage`);
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    expect(await page.getByRole('button', { name: '30 days' }).getAttribute('aria-pressed')).toBe('true');
    const chart = page.getByTestId('chart-spend');
    await expect.poll(() => chart.textContent()).toContain('Spend in 30 buckets, $0.90 in total');
    await expect
      .poll(() =>
        breakdown()
          .getByRole('row', { name: /beta-app/ })
          .textContent(),
      )
      .toContain('$0.60');
    expect(
      await breakdown()
        .getByRole('row', { name: /alpha-app/ })
        .textContent(),
    ).toMatch(/^alpha-app \(sk-gw-.*…\)30\s*0\s*450\s*\$0\.30$/);
    await screenshot(page, 'usage-30d');
  });

  it('narrows to 7 days and to 24 hours', async () => {
    await page.getByRole('button', { name: '7 days' }).click();
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('Spend in 7 buckets, $0.21 in total');
    await page.getByRole('button', { name: '24 hours' }).click();
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('Spend in 24 buckets, $0.03 in total');
  });

  it('takes a custom range and groups by model', async () => {
    await page.getByRole('button', { name: 'Custom' }).click();
    const day = (offset: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - offset * DAY_MS).toISOString().slice(0, 10);
    await page.getByLabel('From', { exact: true }).fill(day(9));
    await page.getByLabel('To', { exact: true }).fill(day(0));
    await page.getByLabel('Group by').selectOption('MODEL');
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('Spend in 10 buckets, $0.30 in total');
    await expect.poll(() => breakdown().getByRole('row', { name: /gpt-b/ }).textContent()).toContain('$0.20');
  });

  it('exports what it shows as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^usage-model-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('Bucket (UTC),gpt-b,gpt-a,Total cost (USD),Total requests');
    expect(lines.slice(1, 11)).toHaveLength(10);
    const [bucket, b, a, total, requests] = lines[1].split(',');
    expect(bucket).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    expect([Number(b), Number(a), Number(total), Number(requests)].map((v) => Math.round(v * 1000) / 1000)).toEqual([0.02, 0.01, 0.03, 2]);
    const group = lines.find((l) => l.startsWith('gpt-b,'))!.split(',');
    expect(group.slice(0, 5)).toEqual(['gpt-b', '10', '0', '100', '50']);
    expect(Number(group[5])).toBeCloseTo(0.2, 9);
  });

  it('shows the usage of one key', async () => {
    await page.goto(`${gateway.url}/usage?key=${alphaKeyId}`);
    await page.getByRole('heading', { level: 1, name: 'Usage of alpha-app' }).waitFor();
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('$0.30 in total');
    expect(await breakdown().textContent()).not.toContain('gpt-b');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
