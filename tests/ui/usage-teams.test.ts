import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestGateway } from '../support/gateway.js';
import { createSeedKey, openSeededUi, type SeededUi } from '../support/seeded-ui.js';

const DAY_MS = 86_400_000;

/**
 * The usage history by team over seeded request logs: two days of a team's key ($0.01 a request)
 * and one request of a key without a team ($0.05), so the breakdown and the chart are known.
 */
describe('admin UI: usage by team', () => {
  let gateway: TestGateway;
  let ui: SeededUi | undefined;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    ui = await openSeededUi(
      async (gw) => {
        const { createTeam } = await gw.admin<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Growth" }) { id } }');
        const teamKey = await createSeedKey(gw, 'growth-app', { teamId: createTeam.id });
        const soloKey = await createSeedKey(gw, 'solo-app');
        const now = Date.now();
        return [
          { key: teamKey, teamId: createTeam.id, createdAt: new Date(now - 2 * DAY_MS), model: 'gpt-a', costUsd: 0.01 },
          { key: teamKey, teamId: createTeam.id, createdAt: new Date(now - 5 * 60_000), model: 'gpt-a', costUsd: 0.01 },
          { key: soloKey, teamId: null, createdAt: new Date(now - 5 * 60_000), model: 'gpt-a', costUsd: 0.05 },
        ];
      },
      { acceptDownloads: true },
    );
    ({ gateway, page, pageErrors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
  });

  it('breaks the last 30 days down by team, the team charted on its own', async () => {
    await page.goto(`${gateway.url}/usage`);
    await page.getByLabel('Group by').selectOption('TEAM');
    const breakdown = page.getByRole('table', { name: 'Breakdown' });
    await expect.poll(() => breakdown.getByRole('columnheader').first().textContent()).toBe('Team');
    const growth = breakdown.getByRole('row', { name: /Growth/ });
    await expect.poll(() => growth.count(), { timeout: 5000 }).toBe(1);
    expect(await growth.textContent()).toContain('$0.02');
    expect(await breakdown.locator('tbody tr').count()).toBe(2);
    expect(await breakdown.textContent()).toContain('$0.05');
  });

  it("charts the team's own spend (the keys without a team stay in the total)", async () => {
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('$0.07 in total');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^usage-team-/);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Bucket (UTC),Growth,Total cost (USD),Total requests');
    const buckets = lines
      .slice(1)
      .filter((l) => /^\d{4}-/.test(l))
      .map((l) => l.split(',').map(Number));
    const sum = (i: number) => Math.round(buckets.reduce((n, b) => n + b[i], 0) * 1000) / 1000;
    expect([sum(1), sum(2), sum(3)]).toEqual([0.02, 0.07, 3]);
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
