import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startHookReceiver } from './receiver.js';

// docs/screenshots/alerts-en.png is refreshed on request only (UPDATE_DOCS_SCREENSHOTS=1), like the other docs screenshots.
const DOCS_SCREENSHOTS = process.env.UPDATE_DOCS_SCREENSHOTS ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots') : undefined;

// The Alerts page in a real browser: a channel and a rule made through the forms, a test alert sent from the button.
describe('Alerts page', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    receiver = await startHookReceiver();
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await receiver?.close();
  });

  test('creates a signed webhook channel, sends it a test alert, adds a budget rule, and lists what was sent', async () => {
    await page.goto(`${gw.url}/alerts`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts', exact: true }).waitFor();
    // No channel yet: a rule cannot be made.
    expect(await page.getByRole('button', { name: 'New rule' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'New channel' }).click();
    const channelDialog = page.getByRole('dialog', { name: 'New channel' });
    await channelDialog.getByLabel('Name').fill('ops hook');
    await channelDialog.getByLabel('Webhook URL').fill(`${receiver.url}/webhook/ui?token=hidden-token-123`);
    await channelDialog.getByLabel('Signing secret').fill('ui-signing-secret');
    await channelDialog.getByRole('button', { name: 'Create' }).click();
    const channels = page.getByRole('table', { name: 'Channels' });
    await channels.getByText('ops hook').waitFor();
    expect(await channels.textContent()).not.toContain('hidden-token-123');
    expect(await channels.textContent()).toContain('signed');

    await channels.getByRole('button', { name: 'Send test alert' }).click();
    await expect.poll(() => receiver.on('/webhook/ui').length).toBe(1);
    expect(receiver.on('/webhook/ui')[0].headers['x-gateway-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const history = page.getByRole('table', { name: 'History' });
    await history.getByText('Test alert for ops hook').waitFor();

    await page.getByRole('button', { name: 'New rule' }).click();
    const ruleDialog = page.getByRole('dialog', { name: 'New rule' });
    await ruleDialog.getByLabel('Name').fill('budget watch');
    await ruleDialog.getByLabel('Kind').selectOption('BUDGET');
    // The parameters start from the kind's defaults.
    expect(JSON.parse(await ruleDialog.getByLabel('Parameters').inputValue())).toEqual({ thresholds: [50, 80, 100] });
    await ruleDialog.getByLabel('Parameters').fill('{ "thresholds": [80, 100] }');
    await ruleDialog.getByRole('button', { name: 'ops hook' }).click();
    await ruleDialog.getByRole('button', { name: 'Create' }).click();
    const rules = page.getByRole('table', { name: 'Rules' });
    await rules.getByText('budget watch').waitFor();
    expect(await rules.textContent()).toContain('Key or team budget');
    expect(await rules.textContent()).toContain('"thresholds":[80,100]');

    // The database / Redis rule is one more kind, with both dependencies by default.
    await page.getByRole('button', { name: 'New rule' }).click();
    await ruleDialog.getByLabel('Name').fill('deps watch');
    await ruleDialog.getByLabel('Kind').selectOption('DEPENDENCY_LOST');
    expect(JSON.parse(await ruleDialog.getByLabel('Parameters').inputValue())).toEqual({ dependencies: ['database', 'redis'] });
    await ruleDialog.getByRole('button', { name: 'ops hook' }).click();
    await ruleDialog.getByRole('button', { name: 'Create' }).click();
    await rules.getByText('deps watch').waitFor();
    expect(await rules.textContent()).toContain('Database or Redis lost');

    const stored = await gw.admin<{ alertRules: unknown[]; alertChannels: Array<{ id: string }> }>(
      '{ alertRules { name kind params channelIds } alertChannels { id } }',
    );
    expect(stored.alertRules).toEqual([
      { name: 'budget watch', kind: 'BUDGET', params: { thresholds: [80, 100] }, channelIds: [stored.alertChannels[0].id] },
      { name: 'deps watch', kind: 'DEPENDENCY_LOST', params: { dependencies: ['database', 'redis'] }, channelIds: [stored.alertChannels[0].id] },
    ]);
    await screenshot(page, 'alerts-page');
    expect(pageErrors).toEqual([]);
    if (DOCS_SCREENSHOTS) {
      // Without the toasts of the steps above.
      await page.reload();
      await page.getByRole('table', { name: 'History' }).getByText('Test alert for ops hook').waitFor();
      mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(DOCS_SCREENSHOTS, 'alerts-en.png') });
    }
  });
});
