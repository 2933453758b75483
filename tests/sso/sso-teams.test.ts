import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postOperation } from '../support/admin.js';
import { assertClientBuilt, launchChromium } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey } from '../support/admin.js';
import { createTeam } from '../teams/support.js';
import { signInWithSso } from './browser-sign-in.js';
import { startLoopbackIdp, type LoopbackIdp } from './oidc-provider.js';

const UPDATE_SSO = 'mutation($i: SsoSettingsInput!) { updateSsoSettings(input: $i) { groupRoles { group role } groupTeams { group teamId } } }';
const ME = '{ me { email role } }';
const SIGN_IN_TEST_TIMEOUT_MS = 120_000;

interface UserRead {
  users: { email: string; role: string; team: { name: string } | null }[];
}

// Group claims from a real OpenID provider (oidc-provider on loopback) map to teams and to the team admin role at sign-in.
describe('SSO group claims to teams', () => {
  let gw: TestGateway;
  let idp: LoopbackIdp;
  let browser: Browser;
  let groups: Record<string, string[]>;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    // The provider reads each account's groups at every sign-in: the test changes them between sign-ins.
    groups = { carol: ['staff', 'support-leads'], dave: ['support'], erin: ['billing', 'support'] };
    idp = await startLoopbackIdp({
      redirectUri: `${gw.url}/auth/sso/callback`,
      accounts: {
        carol: {
          email: 'carol@example.com',
          get groups() {
            return groups.carol;
          },
        },
        dave: {
          email: 'dave@example.com',
          get groups() {
            return groups.dave;
          },
        },
        erin: {
          email: 'erin@example.com',
          get groups() {
            return groups.erin;
          },
        },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await gw?.stop();
  });

  const userOf = async (email: string) => (await gw.admin<UserRead>('{ users { email role team { name } } }')).users.find((u) => u.email === email);

  test(
    'a group maps to a team and another to team admin: the team admin sees only its team; the team follows the groups on the next sign-in',
    async () => {
      const support = await createTeam(gw, { name: 'Support' });
      const billing = await createTeam(gw, { name: 'Billing' });
      await createKey(gw, { name: 'support-bot', teamId: support });
      await createKey(gw, { name: 'billing-bot', teamId: billing });
      const saved = await gw.admin<{ updateSsoSettings: { groupRoles: unknown[]; groupTeams: unknown[] } }>(UPDATE_SSO, {
        i: {
          enabled: true,
          issuerUrl: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          redirectUrl: `${gw.url}/auth/sso/callback`,
          scopes: ['openid', 'email', 'profile', 'groups'],
          groupClaim: 'groups',
          groupRoles: [{ group: 'support-leads', role: 'team_admin' }],
          // In order: the first mapped group of a user names the team.
          groupTeams: [
            { group: 'support-leads', teamId: support },
            { group: 'billing', teamId: billing },
            { group: 'support', teamId: support },
          ],
          defaultRole: 'viewer',
        },
      });
      expect(saved.updateSsoSettings.groupRoles).toEqual([{ group: 'support-leads', role: 'team_admin' }]);

      // carol: team admin of Support; she sees Support's key and not Billing's, and cannot touch Billing's.
      const carol = await signInWithSso(browser, { gateway: gw.url, issuer: idp.issuer }, 'carol');
      expect((await postOperation<{ me: unknown }>(gw.url, ME, undefined, carol.token)).data?.me).toEqual({ email: 'carol@example.com', role: 'team_admin' });
      expect(await userOf('carol@example.com')).toMatchObject({ role: 'team_admin', team: { name: 'Support' } });
      const keys = await postOperation<{ virtualKeys: { nodes: { name: string }[] } }>(gw.url, '{ virtualKeys { nodes { name } } }', undefined, carol.token);
      expect(keys.data?.virtualKeys.nodes.map((k) => k.name)).toEqual(['support-bot']);
      await carol.page.goto(`${gw.url}/keys`);
      await carol.page.getByRole('table', { name: 'Virtual keys' }).getByText('support-bot').waitFor();
      expect(await carol.page.getByText('billing-bot').count()).toBe(0);
      expect(carol.errors).toEqual([]);

      // dave: a viewer of Support (no role mapping matches); erin: the first mapping in order wins, Billing.
      await signInWithSso(browser, { gateway: gw.url, issuer: idp.issuer }, 'dave');
      expect(await userOf('dave@example.com')).toMatchObject({ role: 'viewer', team: { name: 'Support' } });
      await signInWithSso(browser, { gateway: gw.url, issuer: idp.issuer }, 'erin');
      expect(await userOf('erin@example.com')).toMatchObject({ role: 'viewer', team: { name: 'Billing' } });

      // carol leaves support-leads at the provider: on the next sign-in she is a viewer without a team, and that change is audited.
      groups.carol = ['staff'];
      const again = await signInWithSso(browser, { gateway: gw.url, issuer: idp.issuer }, 'carol');
      expect((await postOperation<{ me: unknown }>(gw.url, ME, undefined, again.token)).data?.me).toEqual({ email: 'carol@example.com', role: 'viewer' });
      expect(await userOf('carol@example.com')).toMatchObject({ role: 'viewer', team: null });
      const audit = await gw.admin<{ auditEvents: { nodes: { operation: string; entity: string; action: string }[] } }>(
        '{ auditEvents(actor: "carol@example.com", first: 50) { nodes { operation entity action } } }',
      );
      expect(audit.auditEvents.nodes.filter((e) => e.entity === 'user' && e.action === 'update')).toHaveLength(1);
    },
    SIGN_IN_TEST_TIMEOUT_MS,
  );
});
