import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { addUpstream, createKey, postRaw } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, runNow, setMonitoring } from '../health/helpers.js';

/** The health monitoring key is the gateway's own: marked, not revocable, its traffic kept out of Top keys by default. */
describe('admin UI: system keys', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway({ REQUEST_LOG_FLUSH_MS: '100' });
    mock = (await addUpstream(gw, 'openai-chat', { model: 'gpt-4o-mini' })).mock;
    await setMonitoring(gw, true);
    const target = await createTarget(gw, { name: 'GPT', modelName: 'gpt-4o-mini', intervalSeconds: 3600 });
    for (let i = 0; i < 3; i++) await runNow(gw, target);
    const app = await createKey(gw, { name: 'frontend-app' });
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${app.key}` },
    );
    expect(res.status).toBe(200);
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it('refuses to revoke or delete the monitoring key over the API', async () => {
    const { virtualKeys } = await gw.admin<{ virtualKeys: { nodes: { id: string; name: string; purpose: string }[] } }>(
      '{ virtualKeys(first: 500) { nodes { id name purpose } } }',
    );
    const monitoring = virtualKeys.nodes.find((k) => k.purpose === 'monitoring')!;
    expect(monitoring.name).toBe('Health monitoring');
    for (const mutation of ['revokeVirtualKey(id: $id) { id }', 'deleteVirtualKey(id: $id)']) {
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await gw.adminToken()}` },
        body: JSON.stringify({ query: `mutation($id: ID!) { ${mutation} }`, variables: { id: monitoring.id } }),
      });
      const body = (await res.json()) as { errors?: { message: string }[] };
      expect(body.errors?.[0]?.message).toContain('health monitoring key');
    }
    const after = await gw.admin<{ virtualKeys: { nodes: { id: string; revokedAt: string | null }[] } }>(
      '{ virtualKeys(first: 500) { nodes { id revokedAt } } }',
    );
    expect(after.virtualKeys.nodes.find((k) => k.id === monitoring.id)?.revokedAt).toBeNull();
  });

  it('marks the key as a system key with no revoke or delete button', async () => {
    await page.goto(`${gw.url}/keys`);
    const row = page.getByRole('table', { name: 'Virtual keys' }).getByRole('row', { name: /Health monitoring/ });
    await row.getByTestId('system-key').waitFor();
    expect(await row.getByRole('button', { name: /^(Revoke|Delete) / }).count()).toBe(0);
    const app = page.getByRole('table', { name: 'Virtual keys' }).getByRole('row', { name: /frontend-app/ });
    expect(await app.getByRole('button', { name: 'Revoke frontend-app' }).count()).toBe(1);
  });

  it('keeps health-check traffic out of Top keys unless asked for', async () => {
    await page.goto(`${gw.url}/`);
    const top = page.getByRole('table', { name: 'Top keys' });
    await expect.poll(() => top.textContent()).toContain('frontend-app');
    expect(await top.textContent()).not.toContain('Health monitoring');
    await page.getByTestId('show-system-keys').check();
    await expect.poll(() => top.textContent()).toContain('Health monitoring');
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
