import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { DEFAULT_API_KEY, type MockUpstream } from '../support/mock-upstreams/types.js';
import { chatWithKey, createKey, createModel, createProvider, type CreatedKey } from '../support/proxy-fixture.js';
import { createVirtualModel } from '../support/admin.js';

const TEAM_SECRET = 'team-header-value-7c1e94';

interface Attempt {
  provider: string;
  model: string;
  status: number;
  errorClass: string | null;
  error: string | null;
  latencyMs: number;
}
interface Sent {
  method: string;
  url: string;
  headers: { name: string; value: string }[];
  body: string | null;
}

const DETAIL = '{ requestLogs(first: 1) { nodes { id attemptLog { provider } } } }';
const ONE =
  'query($id: ID!) { requestLog(id: $id) { attempts attemptLog { provider model status errorClass error latencyMs } upstreamRequest { method url headers { name value } body } } }';

/** A request's detail says which target failed and why, and shows the upstream request as sent, secrets masked. */
describe('request log: each attempt and the request as sent upstream', () => {
  let gateway: TestGateway;
  let primary: MockUpstream;
  let backup: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let logged: CreatedKey;
  let quiet: CreatedKey;

  const latest = async () => {
    const { requestLogs } = await gateway.admin<{ requestLogs: { nodes: { id: string }[] } }>(DETAIL);
    return requestLogs.nodes[0]?.id;
  };
  const detail = async (id: string) =>
    (await gateway.admin<{ requestLog: { attempts: number; attemptLog: Attempt[]; upstreamRequest: Sent | null } }>(ONE, { id })).requestLog;

  beforeAll(async () => {
    assertClientBuilt();
    gateway = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    primary = await startOpenAIChatMock();
    backup = await startAnthropicMock();
    const p1 = await createProvider(gateway, { name: 'Primary', type: 'openai', baseUrl: primary.url, headers: { 'x-team-secret': TEAM_SECRET } });
    const p2 = await createProvider(gateway, { name: 'Backup', type: 'anthropic', baseUrl: backup.url });
    const first = await createModel(gateway, p1, 'first', 'first-upstream');
    const second = await createModel(gateway, p2, 'second', 'second-upstream');
    await createVirtualModel(gateway, {
      name: 'resilient',
      strategy: 'FAILOVER',
      targets: [
        { modelId: first, priority: 0 },
        { modelId: second, priority: 1 },
      ],
      options: { retries: 2, failureThreshold: 100 },
    });
    logged = await createKey(gateway, { name: 'logged', logBodies: true });
    quiet = await createKey(gateway, { name: 'quiet' });
    ({ browser, page, pageErrors } = await openUi({ token: await gateway.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await primary?.close();
    await backup?.close();
  });

  it('stores each attempt: the failed target with its status and error, then the one that answered', async () => {
    primary.enqueue({ type: 'error', status: 500, body: { error: { message: 'primary is on fire', type: 'server_error' } } });
    expect((await chatWithKey(gateway, logged.key, 'resilient', 'explain yourself')).status).toBe(200);
    await expect.poll(latest, { timeout: 5000 }).toBeTruthy();
    const log = await detail(await latest());
    expect(log.attempts).toBe(2);
    expect(log.attemptLog.map((a) => [a.provider, a.model, a.status])).toEqual([
      ['Primary', 'first-upstream', 500],
      ['Backup', 'second-upstream', 200],
    ]);
    expect(log.attemptLog[0].error).toContain('primary is on fire');
    expect(log.attemptLog[0].errorClass).toBeTruthy();
    expect(log.attemptLog[1].error).toBeNull();
    for (const a of log.attemptLog) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the upstream request as sent, with credentials masked and the body of a key that logs bodies', async () => {
    const log = await detail(await latest());
    const sent = log.upstreamRequest!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`${backup.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/messages`);
    const headers = Object.fromEntries(sent.headers.map((h) => [h.name, h.value]));
    expect(headers['x-api-key']).toMatch(/…/);
    expect(headers['anthropic-version']).toBeTruthy();
    expect(JSON.stringify(sent)).not.toContain(DEFAULT_API_KEY);
    // The body as the backup (Anthropic) received it: translated, with the upstream model id.
    const body = JSON.parse(sent.body!);
    expect(body.model).toBe('second-upstream');
    expect(JSON.stringify(body.messages)).toContain('explain yourself');
    expect(backup.requests.at(-1)!.body.model).toBe('second-upstream');
  });

  it('masks provider header values and leaves the body out for a key without body logging', async () => {
    const before = await latest();
    expect((await chatWithKey(gateway, quiet.key, 'first', 'quiet please')).status).toBe(200);
    await expect.poll(latest, { timeout: 5000 }).not.toBe(before);
    const log = await detail(await latest());
    expect(log.attemptLog).toHaveLength(1);
    expect(log.attemptLog[0]).toMatchObject({ provider: 'Primary', status: 200 });
    const sent = log.upstreamRequest!;
    expect(sent.body).toBeNull();
    const headers = Object.fromEntries(sent.headers.map((h) => [h.name, h.value]));
    expect(headers['x-team-secret']).toBe('team-…1e94');
    expect(headers.authorization).not.toContain(DEFAULT_API_KEY);
    expect(JSON.stringify(sent)).not.toContain(TEAM_SECRET);
    expect(primary.requests.at(-1)!.headers['x-team-secret']).toBe(TEAM_SECRET);
  });

  it('shows the attempts and the request as sent in the log detail', async () => {
    await page.goto(`${gateway.url}/logs`);
    await page
      .getByRole('table', { name: 'Request logs' })
      .getByRole('row', { name: /resilient/ })
      .click();
    const attempts = page.getByTestId('attempt-log').getByTestId('attempt');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.nth(0).textContent()).toMatch(/500[\s\S]*Primary[\s\S]*first-upstream[\s\S]*primary is on fire/);
    expect(await attempts.nth(1).textContent()).toMatch(/200[\s\S]*Backup[\s\S]*second-upstream/);
    const head = (await page.getByTestId('sent-head').textContent()) ?? '';
    expect(head).toContain('POST http://127.0.0.1');
    expect(head).toContain('x-api-key: ');
    expect(head).not.toContain(DEFAULT_API_KEY);
    expect(await page.getByTestId('sent-body').textContent()).toContain('second-upstream');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
