import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { createProviderWithModel, createVirtualModel } from '../support/admin.js';

describe('admin UI: prompt rules', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let vmId: string;

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    const { modelId } = await createProviderWithModel(
      gateway,
      { name: 'Mock OpenAI', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' },
      { name: 'alpha', upstreamModel: 'alpha-upstream' },
    );
    vmId = await createVirtualModel(gateway, { name: 'support-bot', strategy: 'FAILOVER', targets: [{ modelId }] });

    ({ browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1366, height: 1000 },
      colorScheme: 'light',
      timeoutMs: 20_000,
    }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('creates a rule on the virtual model and previews its effect', async () => {
    await page.goto(`${gateway.url}/virtual-models`);
    await page.getByRole('heading', { name: 'Virtual models' }).waitFor();
    await page.getByRole('button', { name: 'Edit support-bot' }).click();
    const drawer = page.getByRole('dialog', { name: 'Edit support-bot' });
    const rules = drawer.getByRole('region', { name: 'Prompt rules' });
    await rules.getByText('No rules').waitFor();

    await rules.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByLabel('Rule').selectOption('SET_SYSTEM');
    await rules.getByLabel('Text').fill('You are the ACME support bot. Answer briefly.');

    // The preview runs the draft before it is saved.
    await rules.getByRole('button', { name: 'Preview' }).click();
    const rewritten = rules.getByLabel('Rewritten request');
    await expect.poll(() => rewritten.inputValue()).toContain('You are the ACME support bot');
    const before = JSON.parse(await rewritten.inputValue());
    expect(before.messages[0]).toEqual({ role: 'system', content: 'You are the ACME support bot. Answer briefly.' });
    await expect.poll(() => rules.getByTestId('preview-fired').textContent()).toContain('Set system message');

    await rules.getByRole('button', { name: 'Add rule', exact: true }).last().click();
    await rules.getByText('“You are the ACME support bot. Answer briefly.”').waitFor();
    const saved = await gateway.admin<{ promptRules: unknown[] }>('query($vm: ID!) { promptRules(virtualModelId: $vm) { kind text enabled } }', { vm: vmId });
    expect(saved.promptRules).toEqual([{ kind: 'SET_SYSTEM', text: 'You are the ACME support bot. Answer briefly.', enabled: true }]);

    // The same rule on an Anthropic-format sample: the `system` field is rewritten.
    await rules.getByLabel('Sample format').selectOption('MESSAGES');
    await rules.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(async () => JSON.parse((await rewritten.inputValue()) || '{}').system)
      .toEqual([{ type: 'text', text: 'You are the ACME support bot. Answer briefly.' }]);

    await rewritten.scrollIntoViewIfNeeded();
    await screenshot(page, 'prompt-rules-light');
    expect(pageErrors).toEqual([]);
  });

  it('shows the server error for an invalid regular expression', async () => {
    const rules = page.getByRole('dialog', { name: 'Edit support-bot' }).getByRole('region', { name: 'Prompt rules' });
    await rules.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByLabel('Rule').selectOption('REPLACE');
    await rules.getByLabel('Find').fill('(unclosed');
    await rules.getByText('Regular expression', { exact: true }).click();
    await rules.getByRole('button', { name: 'Add rule', exact: true }).last().click();
    await rules.getByText(/invalid regular expression/).waitFor();
    const saved = await gateway.admin<{ promptRules: unknown[] }>('query($vm: ID!) { promptRules(virtualModelId: $vm) { kind } }', { vm: vmId });
    expect(saved.promptRules).toHaveLength(1);
  });
});
