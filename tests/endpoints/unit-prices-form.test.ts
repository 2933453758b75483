/**
 * The model form's per-unit prices (Model.unitPrices), in a real browser against a
 * real gateway: stored prices are shown, edited ones saved (prices by image size,
 * which the form does not edit, kept), a negative price refused before saving, and
 * the group labelled in Simplified Chinese too.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createModel, createProvider } from '../support/admin.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const MODEL = 'ui-image-model';

describe('admin UI: unit prices in the model form', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    const provider = await createProvider(gw, { name: 'media', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined });
    await createModel(gw, provider, MODEL, 'gpt-image-1', { unitPrices: { image: 0.04, imageBySize: { 'hd/1024x1792': 0.12 } } });
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  const stored = async () =>
    (
      await gw.admin<{ models: { nodes: Array<{ name: string; unitPrices: unknown }> } }>('{ models(first: 100) { nodes { name unitPrices } } }')
    ).models.nodes.find((m) => m.name === MODEL)!.unitPrices;

  async function openEdit(): Promise<void> {
    await page.goto(`${gw.url}/models`);
    await page.getByRole('button', { name: `Edit ${MODEL}` }).click({ timeout: 30_000 });
  }

  test('shows the stored prices and saves edited ones, keeping the prices by size', { timeout: 90_000 }, async () => {
    await openEdit();
    const group = page.getByRole('group', { name: 'Prices per unit · USD' });
    expect(await group.getByLabel('Per image').inputValue()).toBe('0.04');
    expect(await group.getByLabel('Per second of audio').inputValue()).toBe('');
    await group.getByLabel('Per image').fill('0.05');
    await group.getByLabel('Per second of audio').fill('0.0001');
    await group.getByLabel('Per 1,000 speech characters').fill('0.015');
    await group.getByLabel('Per rerank search').fill('0.002');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(stored, { timeout: 10_000 })
      .toEqual({ image: 0.05, audioSecond: 0.0001, speech1kChars: 0.015, search: 0.002, imageBySize: { 'hd/1024x1792': 0.12 } });
    await expect.poll(() => gw.services.snapshot.current.modelsByName.get(MODEL)?.unitPrices?.image, { timeout: 10_000 }).toBe(0.05);
    expect(pageErrors).toEqual([]);
  });

  test('a negative price is refused in the form, nothing saved', { timeout: 90_000 }, async () => {
    await openEdit();
    const group = page.getByRole('group', { name: 'Prices per unit · USD' });
    await group.getByLabel('Per rerank search').fill('-1');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await group.getByText(/must be a number/i).waitFor();
    expect(((await stored()) as { search: number }).search).toBe(0.002);
  });

  test('the group and its fields speak Simplified Chinese', { timeout: 90_000 }, async () => {
    await page.goto(`${gw.url}/models`);
    await Promise.all([page.waitForEvent('load'), page.getByLabel('Language').selectOption('zh-CN')]);
    await page.getByRole('button', { name: `编辑 ${MODEL}` }).click({ timeout: 30_000 });
    const group = page.getByRole('group', { name: '按单位计价 · 美元' });
    expect(await group.getByLabel('每张图像').inputValue()).toBe('0.05');
    await group.getByLabel('每次重排序搜索').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
