import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { addUpstream, chatWithKey, createKey } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, runNow, setMonitoring } from '../health/helpers.js';
import { waitFor } from '../support/wait.js';

/** The Logs page hides health-check traffic unless asked, and exports what its filters show as CSV. */
describe('admin UI: logs without health checks, and their CSV export', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const table = () => page.getByRole('table', { name: 'Request logs' });
  const rows = () => table().locator('tbody tr');

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    mock = (await addUpstream(gw, 'openai-chat', { model: 'gpt-4o-mini' })).mock;
    await setMonitoring(gw, true);
    const target = await createTarget(gw, { name: 'GPT', modelName: 'gpt-4o-mini', intervalSeconds: 3600 });
    for (let i = 0; i < 3; i++) await runNow(gw, target);
    const app = await createKey(gw, { name: 'frontend-app' });
    expect((await chatWithKey(gw, app.key, 'gpt-4o-mini', 'first, "quoted", question')).status).toBe(200);
    expect((await chatWithKey(gw, app.key, 'no-such-model')).status).toBe(404);
    // Five rows in all: three health checks, two of the app.
    const logged = async () => (await gw.admin<{ requestLogs: { nodes: unknown[] } }>('{ requestLogs(first: 50) { nodes { id } } }')).requestLogs.nodes.length;
    await waitFor(async () => (await logged()) === 5, { what: 'five log rows' });
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it('hides the health-check requests by default and shows them with the toggle', async () => {
    await page.goto(`${gw.url}/logs`);
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(2);
    expect(await table().textContent()).not.toContain('Health monitoring');
    await page.getByRole('switch', { name: 'Show health checks' }).check({ force: true });
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(5);
    expect(await table().textContent()).toContain('Health monitoring');
  });

  it('exports the rows the filters show as CSV', async () => {
    // Health checks shown: all five; then hidden again: the app's two.
    const exportCsv = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-logs-csv').click()]);
      expect(download.suggestedFilename()).toMatch(/^request-logs-\d{4}-\d{2}-\d{2}\.csv$/);
      return (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    };
    const all = await exportCsv();
    expect(all[0].split(',').slice(0, 3)).toEqual(['created_at', 'status', 'api']);
    expect(all).toHaveLength(6);
    await page.getByRole('switch', { name: 'Show health checks' }).uncheck({ force: true });
    await expect.poll(() => rows().count(), { timeout: 5000 }).toBe(2);
    const lines = await exportCsv();
    expect(lines).toHaveLength(3);
    const statuses = lines.slice(1).map((l) => l.split(',')[1]);
    expect(statuses.sort()).toEqual(['200', '404']);
    expect(lines.join('\n')).not.toContain('Health monitoring');
    expect(lines.find((l) => l.includes(',404,'))).toContain('frontend-app');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
