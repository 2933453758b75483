import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider } from '../support/proxy-fixture.js';
import { createVirtualModel, createPromptRule } from '../support/admin.js';

/** A request's detail explains it: the prompt rules that fired, and the request again as a curl command that works. */
describe('admin UI: explain a request', () => {
  let gateway: TestGateway;
  let upstream: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let ruleId: string;

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    upstream = await startOpenAIChatMock();
    const providerId = await createProvider(gateway, { name: 'Mock OpenAI', type: 'openai', baseUrl: upstream.url });
    const alpha = await createModel(gateway, providerId, 'alpha', 'alpha-upstream');
    const vm = await createVirtualModel(gateway, { name: 'chat-route', strategy: 'FAILOVER', targets: [{ modelId: alpha, priority: 0 }] });
    ruleId = await createPromptRule(gateway, vm, { kind: 'SET_SYSTEM', text: "You answer in French, it's policy." });
    const key = await createKey(gateway, { name: 'logged', logBodies: true });
    const res = await chatWithKey(gateway, key.key, 'chat-route', "what's up?");
    expect(res.status).toBe(200);
    ({ browser, page, pageErrors } = await openUi({
      token: await gateway.adminToken(),
      viewport: { width: 1366, height: 900 },
      colorScheme: 'light',
      prepare: (context) => context.grantPermissions(['clipboard-read', 'clipboard-write']),
    }));
    process.env.GATEWAY_KEY = key.key;
  });

  afterAll(async () => {
    delete process.env.GATEWAY_KEY;
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
  });

  it('lists the prompt rules that changed the request', async () => {
    await page.goto(`${gateway.url}/logs`);
    await page
      .getByRole('table', { name: 'Request logs' })
      .getByRole('row', { name: /chat-route/ })
      .click();
    const rules = page.getByTestId('rules-applied');
    await expect.poll(() => rules.textContent()).toContain('Set system message');
    expect(await rules.textContent()).toContain(ruleId);
  });

  it('copies the request as a curl command that replays it', async () => {
    const section = page.getByTestId('copy-as-curl');
    await section.locator('pre').waitFor();
    const command = (await section.locator('pre').textContent()) ?? '';
    expect(command).toContain(`curl '${gateway.url}/v1/chat/completions'`);
    expect(command).toContain('"$GATEWAY_KEY"');
    expect(command).not.toContain(process.env.GATEWAY_KEY!);
    await section.getByRole('button', { name: 'Copy as curl' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
    // The command runs as printed in a POSIX shell (quotes in the body survive) and the gateway answers it.
    const before = upstream.requests.length;
    // Asynchronously: the gateway answering it runs in this process.
    const { stdout: out } = await promisify(execFile)('sh', ['-c', command], { encoding: 'utf8', env: process.env, timeout: 10_000 });
    expect(JSON.parse(out).choices[0].message.content).toContain("what's up?");
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
