import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider, type CreatedKey } from '../support/proxy-fixture.js';

/** A key's own limits and permissions refuse requests; those refusals are not the provider's errors. */
describe('admin UI: gateway refusals are not provider errors', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let limited: CreatedKey;
  let narrow: CreatedKey;
  let providerId: string;

  const chat = (key: CreatedKey, model: string) => chatWithKey(gateway, key.key, model);

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    providerId = await createProvider(gateway, { name: 'DeepSeek', type: 'openai', baseUrl: upstream.url });
    await createModel(gateway, providerId, 'deepseek-chat', 'deepseek-chat');
    await createModel(gateway, providerId, 'deepseek-reasoner', 'deepseek-reasoner');
    limited = await createKey(gateway, { name: 'one-per-minute', rpmLimit: 1 });
    narrow = await createKey(gateway, { name: 'chat-only', allowedModels: ['deepseek-chat'] });

    expect((await chat(limited, 'deepseek-chat')).status).toBe(200);
    expect((await chat(limited, 'deepseek-chat')).status).toBe(429); // the key's own RPM limit
    expect((await chat(narrow, 'deepseek-reasoner')).status).toBe(403); // a model the key may not use
    expect((await chat(narrow, 'deepseek-chat')).status).toBe(200);
    // One real provider failure, for contrast.
    upstream.enqueue({ type: 'error', status: 500 });
    expect((await chat(narrow, 'deepseek-chat')).status).toBeGreaterThanOrEqual(500);

    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  it('counts the 429 and the 403 apart from provider errors in the API', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const split = async () =>
      (
        await gateway.admin<{ providerErrorSplit: Record<string, number | string | null>[] }>(
          `{ providerErrorSplit(from: "${from}", to: "${to}") { providerId requests providerErrors gatewayRefusals providerErrorRate } }`,
        )
      ).providerErrorSplit;
    await expect.poll(async () => (await split()).reduce((n, r) => n + Number(r.requests), 0), { timeout: 5000 }).toBe(5);
    const rows = await split();
    // DeepSeek: 4 requests, the 429 refused by the key's own limit, 3 reached it and 1 failed.
    expect(rows.find((r) => r.providerId === providerId)).toEqual({ providerId, requests: 4, providerErrors: 1, gatewayRefusals: 1, providerErrorRate: 1 / 3 });
    // The 403 (model not allowed for the key) never picked a provider.
    expect(rows.find((r) => r.providerId === null)).toEqual({ providerId: null, requests: 1, providerErrors: 0, gatewayRefusals: 1, providerErrorRate: 0 });
  });

  it('shows provider health from provider errors only, with the refusals named apart', async () => {
    await page.goto(`${gateway.url}/`);
    const row = page.getByTestId('provider-health').filter({ hasText: 'DeepSeek' });
    await expect.poll(() => row.getByTestId('gateway-refusals').textContent()).toContain('1 refused by the gateway');
    // 1 of 3 requests that reached DeepSeek failed (33%); counting the 429 too would read 50%.
    expect(await row.textContent()).toContain('33% errors');
    await expect.poll(() => page.getByTestId('metric-errors').textContent()).toContain('1 from providers · 2 refused by the gateway');
    await screenshot(page, 'dashboard-refusals');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
