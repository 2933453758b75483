import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertClientBuilt, openUi, signedInContext } from '../support/browser.js';
import { addUpstream } from '../support/proxy-fixture.js';
import { newUserToken, postOperation } from '../support/admin.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, runNow, setMonitoring } from '../health/helpers.js';

const POST = 'mutation($i: StatusIncidentInput!) { postStatusIncident(input: $i) { id title severity resolvedAt } }';

/** Incidents and notes an admin posts reach the public status page and its API, with nothing internal. */
describe('status page incidents', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  const publicIncidents = async () => {
    const res = await fetch(`${gw.url}/public/health/incidents`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { incidents: Record<string, unknown>[] }).incidents;
  };

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    mock = (await addUpstream(gw, 'openai-chat', { model: 'internal-gpt-prod-eu' })).mock;
    await setMonitoring(gw, true);
    await runNow(gw, await createTarget(gw, { name: 'Chat', modelName: 'internal-gpt-prod-eu', intervalSeconds: 3600 }));
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1366, height: 900 }, colorScheme: 'light' }));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await mock?.close();
  });

  it('posts an incident from the Health page', async () => {
    await page.goto(`${gw.url}/health`);
    const admin = page.getByTestId('incidents-admin');
    await admin.getByLabel('Title').fill('Slow answers from the chat model');
    await admin.getByLabel('Severity').selectOption('DEGRADED');
    await admin.getByLabel('Details').fill('We are looking into it.');
    await admin.getByRole('button', { name: 'Post' }).click();
    await expect.poll(() => admin.getByTestId('incident-row').count(), { timeout: 5000 }).toBe(1);
    const { statusIncidents } = await gw.admin<{ statusIncidents: { title: string; severity: string; body: string; resolvedAt: string | null }[] }>(
      '{ statusIncidents { title severity body resolvedAt } }',
    );
    expect(statusIncidents).toEqual([{ title: 'Slow answers from the chat model', severity: 'DEGRADED', body: 'We are looking into it.', resolvedAt: null }]);
  });

  it('serves it on the public API with only the public fields', async () => {
    const [incident] = await publicIncidents();
    expect(Object.keys(incident).sort()).toEqual(['body', 'created_at', 'id', 'resolved_at', 'severity', 'title', 'updated_at']);
    expect(incident).toMatchObject({ title: 'Slow answers from the chat model', severity: 'degraded', resolved_at: null });
    expect(JSON.stringify(await publicIncidents())).not.toContain('internal-gpt-prod-eu');
  });

  it('shows it on the public status page, and resolved once marked so', async () => {
    const status = await browser.newPage();
    await status.goto(`${gw.url}/status`);
    const shown = status.getByTestId('public-incident');
    await expect.poll(() => shown.count(), { timeout: 5000 }).toBe(1);
    expect(await shown.textContent()).toMatch(/Degraded[\s\S]*Slow answers from the chat model[\s\S]*We are looking into it\./);
    expect(await status.getByTestId('public-incidents').textContent()).not.toContain('internal-gpt-prod-eu');

    await page.getByTestId('incidents-admin').getByRole('button', { name: 'Mark resolved' }).click();
    await expect.poll(async () => (await publicIncidents())[0]?.resolved_at, { timeout: 5000 }).toBeTruthy();
    await status.reload();
    await expect.poll(() => shown.textContent(), { timeout: 5000 }).toContain('resolved');
    await status.close();
  });

  it('refuses bad input and viewers', async () => {
    const empty = await postOperation(gw.url, POST, { i: { title: '   ' } }, await gw.adminToken());
    expect(empty.errors?.[0]?.message).toMatch(/title/);
    const viewer = await newUserToken(gw, { email: 'viewer@example.com', password: 'viewer-password-123', role: 'viewer' });
    const refused = await postOperation(gw.url, POST, { i: { title: 'Not mine to post' } }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await publicIncidents()).map((i) => i.title)).toEqual(['Slow answers from the chat model']);
    // A viewer's page lists incidents without the form.
    const context = await signedInContext(browser, viewer, { viewport: { width: 1366, height: 900 } });
    const viewerPage = await context.newPage();
    await viewerPage.goto(`${gw.url}/health`);
    await expect.poll(() => viewerPage.getByTestId('incident-row').count(), { timeout: 5000 }).toBe(1);
    expect(await viewerPage.getByTestId('incidents-admin').getByRole('button', { name: 'Post' }).count()).toBe(0);
    await context.close();
  });

  it('raised no errors in the browser', () => {
    expect(pageErrors).toEqual([]);
  });
});
