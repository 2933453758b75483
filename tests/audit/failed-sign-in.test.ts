import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, createUser, postOperation } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startLoopbackIdp, type LoopbackIdp } from '../sso/oidc-provider.js';

interface AuditRow {
  actorType: string;
  actorEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  operation: string | null;
  entity: string;
  entityId: string | null;
  entityName: string | null;
  action: string;
  after: unknown;
}
const FAILED = `{ auditEvents(action: "loginFailed", first: 50) { nodes { actorType actorEmail ip userAgent operation entity entityId entityName action after } } }`;
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
const WRONG_PASSWORD = 'not-the-password-7f3a9c';
const GUESSED_PASSWORD = 'guess-for-nobody-41d2e8';

async function loginAs(url: string, email: string, password: string, userAgent: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ query: LOGIN, variables: { e: email, p: password } }),
  });
  return (await res.json()) as { data?: unknown; errors?: { message: string }[] };
}

// Refused sign-ins, by password and through SSO, in the audit log: who tried, from where, why; never the password.
describe('failed sign-ins in the audit log', () => {
  let gw: TestGateway;
  let idp: LoopbackIdp;

  beforeAll(async () => {
    gw = await startTestGateway();
    idp = await startLoopbackIdp({ redirectUri: `${gw.url}/auth/sso/callback`, accounts: { zed: { email: 'zed@example.com', groups: [] } } });
  });
  afterAll(async () => {
    await idp?.close();
    await gw?.stop();
  });

  const failed = async () => (await gw.admin<{ auditEvents: { nodes: AuditRow[] } }>(FAILED)).auditEvents.nodes;

  test('a wrong password and an unknown email are each recorded once, with address, user agent and reason; a success is not a failure', async () => {
    const userId = await createUser(gw, { email: 'pat@example.com', password: 'pat-password-123', role: 'viewer' });
    expect((await loginAs(gw.url, 'Pat@Example.com', WRONG_PASSWORD, 'audit-probe/1.0')).errors?.[0]?.message).toBe('Invalid email or password');
    expect((await loginAs(gw.url, 'nobody@example.com', GUESSED_PASSWORD, 'audit-probe/2.0')).errors?.[0]?.message).toBe('Invalid email or password');
    expect((await loginAs(gw.url, 'pat@example.com', 'pat-password-123', 'audit-probe/3.0')).errors).toBeUndefined();

    const rows = await failed();
    expect(rows).toHaveLength(2);
    const byEmail = new Map(rows.map((r) => [r.entityName, r]));
    expect(byEmail.get('pat@example.com')).toEqual({
      actorType: 'anonymous',
      actorEmail: null,
      ip: '127.0.0.1',
      userAgent: 'audit-probe/1.0',
      operation: 'login',
      entity: 'session',
      entityId: userId,
      entityName: 'pat@example.com',
      action: 'loginFailed',
      after: { method: 'password', reason: 'wrong_password' },
    });
    expect(byEmail.get('nobody@example.com')).toMatchObject({
      userAgent: 'audit-probe/2.0',
      entityId: null,
      after: { method: 'password', reason: 'unknown_user' },
    });
    const everything = JSON.stringify(await gw.admin('{ auditEvents(first: 200) { nodes { before after entityName userAgent } } }'));
    expect(everything).not.toContain(WRONG_PASSWORD);
    expect(everything).not.toContain(GUESSED_PASSWORD);
    expect(everything).not.toContain('pat-password-123');
    // The admin's own sign-in (the test harness's) is no failure.
    expect(rows.some((r) => r.entityName === ADMIN_EMAIL)).toBe(false);
  });

  test('an SSO callback with a forged state after a real start is recorded as a failed OIDC sign-in; one without a sign-in cookie is not', async () => {
    await gw.admin('mutation($i: SsoSettingsInput!) { updateSsoSettings(input: $i) { enabled } }', {
      i: {
        enabled: true,
        issuerUrl: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUrl: `${gw.url}/auth/sso/callback`,
        scopes: ['openid', 'email', 'groups'],
      },
    });
    const before = (await failed()).length;
    const bare = await fetch(`${gw.url}/auth/sso/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toMatch(/^\/login#sso_error=/);
    expect(await failed()).toHaveLength(before);

    const start = await fetch(`${gw.url}/auth/sso/start`, { redirect: 'manual', headers: { 'user-agent': 'sso-probe/1.0' } });
    expect(start.status).toBe(302);
    const cookie = start.headers.get('set-cookie')!.split(';')[0];
    const forged = await fetch(`${gw.url}/auth/sso/callback?code=abc&state=not-the-state`, {
      redirect: 'manual',
      headers: { cookie, 'user-agent': 'sso-probe/1.0' },
    });
    expect(forged.headers.get('location')).toMatch(/^\/login#sso_error=/);
    const rows = await failed();
    expect(rows).toHaveLength(before + 1);
    expect(rows.find((r) => r.operation === 'ssoLogin')).toEqual({
      actorType: 'anonymous',
      actorEmail: null,
      ip: '127.0.0.1',
      userAgent: 'sso-probe/1.0',
      operation: 'ssoLogin',
      entity: 'session',
      entityId: null,
      entityName: null,
      action: 'loginFailed',
      after: { method: 'oidc', reason: 'sso_exchange_failed' },
    });
    // Not a GraphQL error path: a public query still answers.
    expect((await postOperation(gw.url, '{ loginOptions { sso } }')).data).toEqual({ loginOptions: { sso: true } });
  });
});
