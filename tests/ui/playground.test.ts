import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, screenshot } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createModel, createProvider } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';

/**
 * The playground against a real gateway and a strict mock upstream: the answer streams in chunk by
 * chunk, and the numbers shown come from the request itself and its log row (failover included).
 */
describe('admin UI: playground', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    // 12 input and 8 output tokens per answer: 12 × 0.001 + 8 × 0.002 = $0.028.
    const alpha = await createModel(gateway, providerId, 'alpha', 'alpha-upstream', { inputPrice: 0.001, outputPrice: 0.002 });
    const beta = await createModel(gateway, providerId, 'beta', 'beta-upstream');
    await createVirtualModel(gateway, {
      name: 'chat-route',
      strategy: 'FAILOVER',
      options: { retries: 1, failureThreshold: 5 },
      targets: [
        { modelId: beta, priority: 0 },
        { modelId: alpha, priority: 1 },
      ],
    });
    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  const stat = (name: string) => page.getByTestId(`stat-${name}`);

  it('streams an answer from a virtual model and shows where it went and what it cost', async () => {
    await page.goto(`${gateway.url}/playground`);
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    await page.getByLabel('Model', { exact: true }).selectOption('chat-route');
    await page.getByLabel('System prompt').fill('Answer in one line.');
    await page.getByLabel('Temperature').fill('0.3');

    // The first target fails, the second answers slowly in five chunks.
    upstream.enqueue({ type: 'error', status: 500 }, { type: 'text', text: 'one two three four five', chunks: 5, chunkDelayMs: 300 });
    await page.getByLabel('Message', { exact: true }).fill('Count to five');
    await page.getByRole('button', { name: 'Send' }).click();

    // Part of the answer is on screen while the rest is still coming.
    const streaming = page.getByTestId('message-streaming');
    await expect.poll(async () => ((await streaming.count()) ? ((await streaming.textContent()) ?? '') : ''), { timeout: 5000 }).toMatch(/one/);
    const partial = (await streaming.textContent()) ?? '';
    expect(partial).not.toContain('five');

    const answer = page.getByTestId('message-assistant');
    await expect.poll(() => answer.textContent()).toContain('one two three four five');
    await expect.poll(() => stat('attempts').textContent()).toBe('2');
    expect(await stat('status').textContent()).toBe('200');
    expect(await stat('target').textContent()).toBe('Mock OpenAI · alpha-upstream');
    expect(await stat('tokens').textContent()).toContain('12 in · 8 out');
    expect(await stat('cost').textContent()).toBe('$0.028');
    expect(Number((await stat('latency').textContent())?.replace(/[^\d]/g, ''))).toBeGreaterThanOrEqual(1000);
    expect(await stat('ttfb').textContent()).toMatch(/^\d+ ms$/);
    await screenshot(page, 'playground');

    // What the upstream received: the system prompt first, the parameter, a stream.
    const sent = upstream.requests.at(-1)!.body;
    expect(sent.model).toBe('alpha-upstream');
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Answer in one line.' });
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'Count to five' });
    expect(sent.temperature).toBe(0.3);
    expect(sent.stream).toBe(true);

    // The request is in the log under the admin's playground key, which is marked as a system key.
    const data = await gateway.admin<{ virtualKeys: { nodes: { name: string; purpose: string }[] } }>('{ virtualKeys(first: 500) { nodes { name purpose } } }');
    expect(data.virtualKeys.nodes).toContainEqual({ name: 'Playground · admin@example.com', purpose: 'playground' });
  });

  it('keeps the conversation: the next turn sends the history', async () => {
    await page.getByLabel('Message', { exact: true }).fill('And back?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('message-assistant').count()).toBe(2);
    const sent = upstream.requests.at(-1)!.body;
    expect(sent.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    await expect.poll(() => stat('attempts').textContent()).toBe('1');
  });

  it('shows the gateway refusal of a pasted key in its own words', async () => {
    await page.getByLabel('Send as').selectOption('pasted');
    await page.getByLabel('Virtual key').fill('sk-gw-not-a-real-key-000000000000');
    await page.getByLabel('Message', { exact: true }).fill('hi');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => stat('status').textContent()).toBe('401');
    expect(await page.getByRole('alert').textContent()).toMatch(/key/i);
  });

  it('opens from the Test button of a model with that model chosen', async () => {
    await page.goto(`${gateway.url}/models`);
    await page.getByRole('button', { name: 'Test alpha in the playground' }).click();
    await page.waitForURL(/\/playground\?model=alpha$/);
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('alpha');
    await page.goto(`${gateway.url}/providers`);
    await page.getByRole('button', { name: 'Test Mock OpenAI in the playground' }).click();
    await page.waitForURL(/\/playground\?provider=/);
    await expect.poll(() => page.getByLabel('Model', { exact: true }).inputValue()).toBe('alpha');
  });

  it('raised no errors in the browser', () => {
    // The refused pasted key is a 401 the page shows; the browser logs that as a failed resource.
    expect(pageErrors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  });
});
