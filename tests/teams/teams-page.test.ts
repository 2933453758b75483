import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createUser } from '../support/admin.js';
import { assertClientBuilt, openUi } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

interface TeamRead {
  teams: {
    id: string;
    name: string;
    budgetUsd: number | null;
    budgetPeriod: string | null;
    rpmLimit: number | null;
    members: { email: string; role: string }[];
  }[];
}

// The Teams page in a real browser: a team created with its limits and a team admin, a key put in it from the key form,
// the key's team shown in the keys list and the key under the team; deleting the team leaves the key without one.
describe('teams in the admin UI', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    ({ browser, page, pageErrors } = await openUi({ token: await gw.adminToken(), viewport: { width: 1440, height: 900 } }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test('create a team, assign a key to it, see the key and its team in both lists, delete the team', async () => {
    await createUser(gw, { email: 'lead@example.com', password: 'lead-password-1', role: 'viewer' });
    const key = await createKey(gw, { name: 'support-bot' });

    await page.goto(`${gw.url}/teams`);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).getAttribute('href')).toBe('/teams');
    await page.getByText('No teams yet').waitFor();
    await page.getByRole('button', { name: 'New team' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Support');
    await dialog.getByLabel('Requests per minute').fill('60');
    await dialog.getByLabel('Budget', { exact: true }).fill('25');
    await dialog.getByLabel('Period').selectOption('weekly');
    await dialog.getByRole('group', { name: 'Team admins' }).getByRole('button', { name: 'lead@example.com' }).click();
    await dialog.getByRole('button', { name: 'Create team' }).click();

    const teams = page.getByRole('table', { name: 'Teams' });
    await teams.getByText('Support').waitFor();
    await teams.getByText('lead@example.com').waitFor();
    expect(await teams.textContent()).toContain('60 RPM');

    // What the form saved, read back through the API.
    const saved = (await gw.admin<TeamRead>('{ teams { id name budgetUsd budgetPeriod rpmLimit members { email role } } }')).teams;
    expect(saved).toEqual([
      {
        id: expect.any(String),
        name: 'Support',
        budgetUsd: 25,
        budgetPeriod: 'weekly',
        rpmLimit: 60,
        members: [{ email: 'lead@example.com', role: 'team_admin' }],
      },
    ]);
    const teamId = saved[0].id;

    // The key form's team picker puts the key in the team; the keys list shows it.
    await page.goto(`${gw.url}/keys`);
    await page.getByRole('button', { name: 'Edit support-bot' }).click();
    await page.getByRole('dialog').getByLabel('Team').selectOption({ label: 'Support' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    const keyRow = page.getByRole('table', { name: 'Virtual keys' }).getByRole('row').filter({ hasText: 'support-bot' });
    await keyRow.getByText('Support', { exact: true }).waitFor();
    const keyRead = await gw.admin<{ virtualKeys: { nodes: { id: string; teamId: string | null }[] } }>('{ virtualKeys { nodes { id teamId } } }');
    expect(keyRead.virtualKeys.nodes.find((k) => k.id === key.id)?.teamId).toBe(teamId);

    // The team lists its key; deleting the team keeps the key, without a team.
    await page.goto(`${gw.url}/teams`);
    const teamRow = page.getByRole('table', { name: 'Teams' }).getByRole('row').filter({ hasText: 'Support' });
    await teamRow.getByText('support-bot').waitFor();
    await teamRow.getByRole('button', { name: 'Delete Support' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No teams yet').waitFor();
    await page.goto(`${gw.url}/keys`);
    await keyRow.getByText('No team').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
