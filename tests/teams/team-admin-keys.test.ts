import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createUser, signIn } from '../support/admin.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createTeam } from './support.js';

// A team admin in the browser manages its team's keys: the keys page offers New key and the row actions,
// the form's allowed models are the team's allow-list, and a key it creates lands in its team. Keys of
// other teams are not shown to it.
describe("a team admin's keys page", () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let teamId: string;
  let token: string;
  let otherKeyId: string;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    teamId = await createTeam(gw, { name: 'Growth', allowedModels: ['alpha', 'beta-route'] });
    const otherTeam = await createTeam(gw, { name: 'Finance' });
    const userId = await createUser(gw, { email: 'lead@example.com', password: 'lead-password-1', role: 'viewer' });
    await gw.admin('mutation($u: ID!, $t: ID) { setTeamMember(userId: $u, teamId: $t, role: team_admin) { id } }', { u: userId, t: teamId });
    const other = await createKey(gw, { name: 'ledger-bot' });
    await gw.admin('mutation($id: ID!, $t: ID) { updateVirtualKey(id: $id, input: { teamId: $t }) { id } }', { id: other.id, t: otherTeam });
    otherKeyId = other.id;
    token = await signIn(gw.url, 'lead@example.com', 'lead-password-1');
    ({ browser, page } = await openUi({ token, viewport: { width: 1440, height: 900 } }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test("creates a key in its own team, limited to one of the team's models", async () => {
    await page.goto(`${gw.url}/keys`);
    await page.getByRole('heading', { level: 1, name: 'Virtual keys' }).waitFor();
    expect(await page.getByText('ledger-bot').count()).toBe(0);
    await page.getByRole('button', { name: 'New key' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('growth-bot');
    await dialog.getByRole('group', { name: 'Allowed models' }).getByRole('button', { name: 'alpha' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page
      .getByText(/sk-gw-/)
      .first()
      .waitFor();

    const keys = (
      await gw.admin<{ virtualKeys: { nodes: { name: string; teamId: string | null; allowedModels: string[] | null }[] } }>(
        '{ virtualKeys { nodes { name teamId allowedModels } } }',
      )
    ).virtualKeys.nodes;
    expect(keys.find((k) => k.name === 'growth-bot')).toEqual({ name: 'growth-bot', teamId, allowedModels: ['alpha'] });
  });

  test("cannot set the response cache of another team's key", async () => {
    const res = await gw.gql('mutation($id: ID!) { setVirtualKeyCache(id: $id, input: { enabled: true }) { id } }', { id: otherKeyId }, token);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
