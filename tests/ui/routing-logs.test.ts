import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createModel, createProvider } from '../support/admin.js';

describe('admin UI: virtual models and logs', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let virtualKey: string;
  const modelIds: Record<string, string> = {};

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url, apiKey: 'upstream-secret-key' });
    for (const name of ['alpha', 'beta']) modelIds[name] = await createModel(gateway, providerId, name, `${name}-upstream`);
    virtualKey = (await createKey(gateway, { name: 'tail-test' })).key;

    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 860 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  const navLink = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const targetOrder = async () => (await page.getByTestId('target-row').locator('.model .mono').allTextContents()).map((t) => t.trim());

  it('creates a virtual model in the drawer, reorders its targets and lists it with live circuit badges', async () => {
    await page.goto(`${gateway.url}/`);
    await navLink('Virtual models').click();
    await page.waitForURL(/\/virtual-models$/);
    await page.getByRole('heading', { name: 'Virtual models' }).waitFor();
    await page.getByRole('button', { name: 'New virtual model' }).first().click();

    const drawer = page.getByRole('dialog', { name: 'New virtual model' });
    for (const name of ['alpha', 'beta']) {
      await drawer.getByLabel('Add target').selectOption({ label: `${name} · Mock OpenAI` });
      await drawer.getByRole('button', { name: 'Add', exact: true }).click();
    }
    expect(await targetOrder()).toEqual(['alpha', 'beta']);

    // Keyboard-accessible reordering: the position is the priority.
    await drawer.getByRole('button', { name: 'Move beta up' }).click();
    expect(await targetOrder()).toEqual(['beta', 'alpha']);
    // HTML5 drag and drop does the same.
    await page.getByTestId('target-row').nth(1).dragTo(page.getByTestId('target-row').nth(0));
    expect(await targetOrder()).toEqual(['alpha', 'beta']);
    await drawer.getByRole('button', { name: 'Move alpha down' }).click();
    expect(await targetOrder()).toEqual(['beta', 'alpha']);

    // Weights only matter (and only show) for load balancing.
    expect(await drawer.getByLabel('Weight of beta').count()).toBe(0);
    await drawer.getByLabel('Strategy').selectOption('LOAD_BALANCE');
    await drawer.getByLabel('Weight of beta').fill('3');
    await drawer.getByLabel('Strategy').selectOption('FAILOVER');

    await drawer.getByText('Advanced options').click();
    await drawer.getByLabel('Retries').fill('2');
    await drawer.getByLabel('Cooldown').fill('15000');

    // A server-side refusal (BAD_USER_INPUT) lands next to its field.
    await drawer.getByRole('textbox', { name: 'Name', exact: true }).fill('alpha');
    await page.getByRole('button', { name: 'Create virtual model' }).click();
    await expect.poll(() => drawer.getByText('"alpha" is already the name of a model').count()).toBe(1);

    await drawer.getByRole('textbox', { name: 'Name', exact: true }).fill('chat-route');
    await drawer.getByLabel('Description', { exact: true }).fill('beta first, alpha as fallback');
    await screenshot(page, 'virtual-model-form-light');
    await page.getByRole('button', { name: 'Create virtual model' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'New virtual model' }).count()).toBe(0);

    const row = page.getByRole('table', { name: 'Virtual models' }).getByRole('row', { name: /chat-route/ });
    await expect.poll(() => row.locator('[data-state="CLOSED"]').count()).toBe(2);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Failover');
    expect(text.indexOf('beta')).toBeLessThan(text.indexOf('alpha'));

    type Saved = { virtualModels: Array<{ name: string; options: unknown; targets: Array<{ modelId: string; priority: number }> }> };
    const saved = await gateway.admin<Saved>('{ virtualModels { name options { retries cooldownMs } targets { modelId priority weight } } }');
    const vm = saved.virtualModels.find((v) => v.name === 'chat-route');
    expect(vm?.options).toMatchObject({ retries: 2, cooldownMs: 15000 });
    const priorities = Object.fromEntries((vm?.targets ?? []).map((t) => [t.modelId, t.priority]));
    expect(priorities).toEqual({ [modelIds.beta]: 0, [modelIds.alpha]: 1 });

    // Let the confirmation toast go so the screenshots show the page only.
    await page.getByText('Created chat-route').waitFor({ state: 'hidden' });
    await screenshot(page, 'virtual-models-light');
  });

  it('shows a request routed through the virtual model in the live tail and its details', async () => {
    await navLink('Logs').click();
    await page.waitForURL(/\/logs$/);
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await page.getByText('Live tail', { exact: true }).click();
    await page.getByText('Waiting for requests…').waitFor();
    // Give the websocket a moment to start the subscription.
    await page.waitForTimeout(500);

    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${virtualKey}` },
      body: JSON.stringify({ model: 'chat-route', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.choices[0].message.content).toContain('hello');

    const table = page.getByRole('table', { name: 'Request logs' });
    const row = table.getByRole('row', { name: /chat-route/ });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('200');
    expect(text).toContain('tail-test');
    expect(text).toContain('beta-upstream');

    // The client-side filter hides rows without touching the stream.
    await page.getByLabel('Filter live rows').fill('no-such-model');
    await page.getByText('No live rows match').waitFor();
    await page.getByLabel('Filter live rows').fill('chat');
    await row.waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await screenshot(page, 'logs-light');
    await page.getByRole('button', { name: 'Resume' }).click();

    await row.click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await expect.poll(() => drawer.getByTestId('log-detail').textContent()).toContain('Mock OpenAI');
    expect(await drawer.textContent()).toContain('beta-upstream');
    await screenshot(page, 'log-detail-light');
    await drawer.getByRole('button', { name: 'Close' }).click();

    // Off the live tail, the paged list shows the stored row (logs are written in batches).
    await page.getByText('Live tail', { exact: true }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return table.getByRole('row', { name: /chat-route/ }).count();
        },
        { timeout: 8000 },
      )
      .toBe(1);
    await page.getByLabel('Status').selectOption('5xx');
    await page.getByText('No requests match').waitFor();
    await page.getByLabel('Status').selectOption('2xx');
    await table.getByRole('row', { name: /chat-route/ }).waitFor();
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
