import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { createKey, createProvider } from '../support/proxy-fixture.js';

const DAY_MS = 86_400_000;

/**
 * The usage history by team over seeded request logs: two days of a team's key ($0.01 a request)
 * and one request of a key without a team ($0.05), so the breakdown and the chart are known.
 */
describe('admin UI: usage by team', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const { createTeam } = await gateway.admin<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Growth" }) { id } }');
    const teamKey = await createKey(gateway, { name: 'growth-app', teamId: createTeam.id });
    const soloKey = await createKey(gateway, { name: 'solo-app' });
    const row = (key: typeof teamKey, teamId: string | null, createdAt: Date, costUsd: number) => ({
      createdAt,
      virtualKeyId: key.id,
      teamId,
      keyName: key === teamKey ? 'growth-app' : 'solo-app',
      keyPrefix: key.key.slice(0, 12),
      clientApi: 'chat-completions',
      requestedModel: 'gpt-a',
      targetModel: 'gpt-a',
      providerId,
      providerName: 'Mock OpenAI',
      attempts: 1,
      status: 200,
      latencyMs: 100,
      inputTokens: 10,
      outputTokens: 5,
      costUsd,
    });
    const now = Date.now();
    await gateway.services.db.requestLog.createMany({
      data: [
        row(teamKey, createTeam.id, new Date(now - 2 * DAY_MS), 0.01),
        row(teamKey, createTeam.id, new Date(now - 5 * 60_000), 0.01),
        row(soloKey, null, new Date(now - 5 * 60_000), 0.05),
      ],
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
