import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, postOperation } from '../support/admin.js';
import { assertClientBuilt, launchChromium } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { signInWithSso as signIn } from './browser-sign-in.js';
import { startLoopbackIdp, type LoopbackIdp } from './oidc-provider.js';

const UPDATE_SSO = 'mutation($i: SsoSettingsInput!) { updateSsoSettings(input: $i) { enabled clientSecretSet clientSecretHint groupRoles { group role } } }';
const ME = '{ me { email role } }';
/** Several browser sign-ins through the gateway and the provider: more than the default test timeout on a busy machine. */
const SIGN_IN_TEST_TIMEOUT_MS = 90_000;

// Single sign-on end to end: Debian chromium, the admin UI, the gateway and a real OpenID provider, all on loopback.
describe('SSO sign-in with OpenID Connect', () => {
  let gw: TestGateway;
  let idp: LoopbackIdp;
  let browser: Browser;

  beforeAll(async () => {
    assertClientBuilt();
    gw = await startTestGateway();
    idp = await startLoopbackIdp({
      redirectUri: `${gw.url}/auth/sso/callback`,
      accounts: {
        alice: { email: 'alice@example.com', groups: ['staff', 'gateway-admins'] },
        bob: { email: 'bob@example.com', groups: ['staff'] },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await gw?.stop();
  });

  const configure = (extra: Record<string, unknown> = {}) =>
    gw.admin<{ updateSsoSettings: { enabled: boolean; clientSecretSet: boolean; clientSecretHint: string } }>(UPDATE_SSO, {
      i: {
        enabled: true,
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUrl: `${gw.url}/auth/sso/callback`,
        scopes: ['openid', 'email', 'profile', 'groups'],
        groupClaim: 'groups',
        groupRoles: [{ group: 'gateway-admins', role: 'admin' }],
        defaultRole: 'viewer',
        ...extra,
      },
    });

  const signInWithSso = (account: string) => signIn(browser, { gateway: gw.url, issuer: idp.issuer }, account);

  test('the secret is sealed and never returned; the login page offers SSO', async () => {
    const saved = await configure();
    expect(saved.updateSsoSettings).toMatchObject({ enabled: true, clientSecretSet: true });
    expect(JSON.stringify(saved)).not.toContain(idp.clientSecret);
    const options = await postOperation<{ loginOptions: { sso: boolean; passwordLogin: boolean } }>(gw.url, '{ loginOptions { sso passwordLogin } }');
    expect(options.data?.loginOptions).toEqual({ sso: true, passwordLogin: true });
  });

  test(
    'first sign-in creates the user; a group claim maps to the admin role, no mapped group gives the default role',
    async () => {
      const alice = await signInWithSso('alice');
      const aliceMe = await postOperation<{ me: { email: string; role: string } }>(gw.url, ME, undefined, alice.token);
      expect(aliceMe.data?.me).toEqual({ email: 'alice@example.com', role: 'admin' });
      // An admin sees the admin-only controls: the Users page lists the new user.
      await alice.page.goto(`${gw.url}/users`);
      await alice.page.getByText('alice@example.com').first().waitFor();
      expect(alice.errors).toEqual([]);

      const bob = await signInWithSso('bob');
      const bobMe = await postOperation<{ me: { email: string; role: string } }>(gw.url, ME, undefined, bob.token);
      expect(bobMe.data?.me).toEqual({ email: 'bob@example.com', role: 'viewer' });
      // A viewer's token cannot change configuration.
      const refused = await postOperation(gw.url, 'mutation { createVirtualKey(input: { name: "nope" }) { key } }', undefined, bob.token);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      // A second sign-in finds the same user (no duplicate).
      await signInWithSso('alice');
      const users = await gw.admin<{ users: Array<{ email: string }> }>('{ users { email } }');
      expect(users.users.filter((u) => u.email === 'alice@example.com')).toHaveLength(1);

      // Recorded in the audit log: the user created by SSO and each sign-in.
      const audit = await gw.admin<{ auditEvents: { nodes: Array<{ operation: string; entity: string; action: string; actorEmail: string }> } }>(
        '{ auditEvents(actor: "alice@example.com", first: 50) { nodes { operation entity action actorEmail } } }',
      );
      expect(audit.auditEvents.nodes.filter((e) => e.entity === 'user' && e.action === 'create')).toHaveLength(1);
      expect(audit.auditEvents.nodes.filter((e) => e.entity === 'session' && e.action === 'login')).toHaveLength(2);
    },
    SIGN_IN_TEST_TIMEOUT_MS,
  );

  test(
    'password sign-in can be turned off: the login mutation is refused and the page offers SSO only',
    async () => {
      const token = await gw.adminToken();
      await configure({ passwordLoginDisabled: true });
      const refused = await postOperation(gw.url, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
        e: ADMIN_EMAIL,
        p: ADMIN_PASSWORD,
      });
      expect(refused.errors?.[0]?.message).toMatch(/Password sign-in is turned off/);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${gw.url}/login`);
      await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
      await page.getByText('Password sign-in is turned off on this gateway').waitFor();
      expect(await page.getByLabel('Password').count()).toBe(0);
      // SSO still works; turning SSO off brings password sign-in back.
      await signInWithSso('bob');
      await postOperation(
        gw.url,
        UPDATE_SSO,
        { i: { enabled: false, issuerUrl: idp.issuer, clientId: idp.clientId, redirectUrl: `${gw.url}/auth/sso/callback` } },
        token,
      );
      const back = await postOperation<{ login: { token: string } }>(
        gw.url,
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        {
          e: ADMIN_EMAIL,
          p: ADMIN_PASSWORD,
        },
      );
      expect(back.data?.login.token).toBeTruthy();
    },
    SIGN_IN_TEST_TIMEOUT_MS,
  );

  test('a callback without the sign-in cookie, or with a forged state, gives no session', async () => {
    await configure();
    const bare = await fetch(`${gw.url}/auth/sso/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toMatch(/^\/login#sso_error=/);
    expect(bare.headers.get('location')).not.toContain('sso_token');
    const start = await fetch(`${gw.url}/auth/sso/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toBeTruthy();
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    const forged = await fetch(`${gw.url}/auth/sso/callback?code=abc&state=not-the-state`, { redirect: 'manual', headers: { cookie } });
    expect(forged.headers.get('location')).toMatch(/^\/login#sso_error=/);
  });
});
