/**
 * The Guardrails page in a real browser: a guardrail created from the form is
 * stored with its detectors and the key it is attached to, and the test box
 * shows what a sample becomes upstream and what the client gets back; the
 * request log detail says which guardrails fired and how many values, never
 * the values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { createKey } from '../support/admin.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, openaiClient } from '../support/proxy-fixture.js';

describe('admin UI: guardrails', () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let keyId: string;
  let keyText: string;
  let mock: MockUpstream;
  let model: string;

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway();
    ({ id: keyId, key: keyText } = await createKey(gateway, { name: 'support-app' }));
    ({ mock, model } = await addUpstream(gateway, 'openai-chat'));
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
    await mock?.close();
  });

  it('creates a guardrail attached to a key, then tests a sample', async () => {
    await page.goto(`${gateway.url}/guardrails`);
    await page.getByRole('heading', { name: 'Guardrails', level: 1 }).waitFor();
    await page.getByText('No guardrails yet').waitFor();

    await page.getByRole('button', { name: 'New guardrail' }).click();
    const dialog = page.getByRole('dialog', { name: 'New guardrail' });
    await dialog.getByLabel('Name').fill('pii');
    await dialog.getByLabel('Custom patterns').fill('TICKET: TCK-\\d+');
    await dialog.getByRole('group', { name: 'Virtual keys' }).getByRole('button', { name: 'support-app' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('cell', { name: /pii/ }).first().waitFor();

    const { guardrails } = await gateway.admin<{ guardrails: unknown[] }>('{ guardrails { name mode stage detectors patterns { label pattern } keyIds } }');
    expect(guardrails).toEqual([
      {
        name: 'pii',
        mode: 'MASK',
        stage: 'REQUEST',
        detectors: ['EMAIL', 'PHONE', 'PAYMENT_CARD'],
        patterns: [{ label: 'TICKET', pattern: 'TCK-\\d+' }],
        keyIds: [keyId],
      },
    ]);

    await page.getByLabel('Sample text').fill('Ticket TCK-42: mail jane@example.com');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const upstream = page.getByLabel('The upstream gets');
    await expect.poll(() => upstream.inputValue()).toBe('Ticket [TICKET_1]: mail [EMAIL_1]');
    expect(await page.getByLabel('An answer repeating it reaches the client as').inputValue()).toBe('Ticket TCK-42: mail jane@example.com');
    await page.getByText('Found: 1 TICKET, 1 EMAIL').waitFor();
    await page.getByText('E-mail, Phone number, Payment card, 1 pattern', { exact: true }).waitFor();
    await screenshot(page, 'guardrails-light');
    expect(pageErrors).toEqual([]);
  });

  it('the request log detail lists the guardrails that fired and how many values, never the values', async () => {
    await openaiClient(gateway, keyText).chat.completions.create({ model, messages: [{ role: 'user', content: 'mail jane@example.com about TCK-7' }] });
    expect(JSON.stringify(mock.requests.at(-1)!.body)).not.toContain('jane@example.com');
    await gateway.services.requestLogs.flush();
    await page.goto(`${gateway.url}/logs`);
    const table = page.getByRole('table', { name: 'Request logs' });
    await table.getByText(model).first().click({ timeout: 30_000 });
    const section = page.getByTestId('guardrails-fired');
    await section.getByText('pii').waitFor();
    await section.getByText('mask').waitFor();
    await section.getByText('2 values').waitFor();
    expect(await page.getByTestId('log-detail').innerText()).not.toContain('jane@example.com');
    expect(pageErrors).toEqual([]);
  });
});
