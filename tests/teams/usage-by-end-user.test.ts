import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createProvider } from '../support/proxy-fixture.js';

interface Summary {
  usageSummary: { total: { requests: number; costUsd: number }; groups: { key: string | null; label: string; requests: number; costUsd: number }[] };
}
const SUMMARY = `query($from: DateTime!, $to: DateTime!, $g: UsageGroupBy!) {
  usageSummary(from: $from, to: $to, groupBy: $g) { total { requests costUsd } groups { key label requests costUsd } }
}`;

/**
 * Usage by end user and by tag over seeded request logs of known cost: alice 3 × $0.01
 * (tags support, beta), bob 2 × $0.02 (tag support), one request of $0.05 without either.
 */
describe('usage by end user and by tag', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    const providerId = await createProvider(gw, { name: 'Mock OpenAI', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const key = await createKey(gw, { name: 'shared-app' });
    const row = (minutesAgo: number, costUsd: number, endUser: string | null, tags: string[] | null) => ({
      createdAt: new Date(Date.now() - minutesAgo * 60_000),
      virtualKeyId: key.id,
      keyName: 'shared-app',
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
      endUser,
      tags: tags ? JSON.stringify(tags) : null,
    });
    await gw.services.db.requestLog.createMany({
      data: [
        row(5, 0.01, 'alice', ['support', 'beta']),
        row(6, 0.01, 'alice', ['support', 'beta']),
        row(7, 0.01, 'alice', ['support', 'beta']),
        row(8, 0.02, 'bob', ['support']),
        row(9, 0.02, 'bob', ['support']),
        row(10, 0.05, null, null),
      ],
    });
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, acceptDownloads: true }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const summary = async (g: string) =>
    (await gw.admin<Summary>(SUMMARY, { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), g }))
      .usageSummary;

  test('the API: end-user groups add up to the key total, tags count each tagged request once per tag', async () => {
    const byUser = await summary('END_USER');
    expect(byUser.total.requests).toBe(6);
    expect(byUser.total.costUsd).toBeCloseTo(0.12, 9);
    const users = new Map(byUser.groups.map((g) => [g.key, g]));
    expect(users.get('alice')).toMatchObject({ requests: 3 });
    expect(users.get('alice')?.costUsd).toBeCloseTo(0.03, 9);
    expect(users.get('bob')?.costUsd).toBeCloseTo(0.04, 9);
    expect(byUser.groups.reduce((sum, g) => sum + g.costUsd, 0)).toBeCloseTo(byUser.total.costUsd, 9);
    const tags = new Map((await summary('TAG')).groups.map((g) => [g.key, g]));
    expect(tags.get('support')).toMatchObject({ requests: 5 });
    expect(tags.get('support')?.costUsd).toBeCloseTo(0.07, 9);
    expect(tags.get('beta')?.costUsd).toBeCloseTo(0.03, 9);
  });

  test('the usage page groups by end user and by tag, with a series per group', async () => {
    await page.goto(`${gw.url}/usage`);
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    const breakdown = page.getByRole('table', { name: 'Breakdown' });
    await page.getByLabel('Group by').selectOption('END_USER');
    await expect.poll(() => breakdown.getByRole('columnheader').first().textContent()).toBe('End user');
    await expect.poll(() => breakdown.getByRole('row', { name: /alice/ }).textContent()).toContain('$0.03');
    expect(await breakdown.getByRole('row', { name: /bob/ }).textContent()).toContain('$0.04');
    await expect.poll(() => page.getByTestId('chart-spend').textContent()).toContain('$0.12 in total');
    // Each end user's series is its own (the CSV export holds the series as charted): alice's sums to $0.03, not the key's $0.12.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    const head = lines[0].split(',');
    const column = (name: string) => lines.filter((l) => /^\d{4}-/.test(l)).reduce((sum, l) => sum + (Number(l.split(',')[head.indexOf(name)]) || 0), 0);
    expect(head).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(column('alice')).toBeCloseTo(0.03, 9);
    expect(column('bob')).toBeCloseTo(0.04, 9);

    await page.getByLabel('Group by').selectOption('TAG');
    await expect.poll(() => breakdown.getByRole('columnheader').first().textContent()).toBe('Tag');
    await expect.poll(() => breakdown.getByRole('row', { name: /support/ }).textContent()).toContain('$0.07');
    expect(await breakdown.getByRole('row', { name: /beta/ }).textContent()).toContain('$0.03');
    expect(pageErrors).toEqual([]);
  });
});
