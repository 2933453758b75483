import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, postOperation, signIn } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createModel, createProvider, revokeKey, updateKey, updateProvider } from '../support/proxy-fixture.js';
import { createUser, createVirtualModel } from '../support/admin.js';

interface AuditRow {
  id: string;
  createdAt: string;
  actorType: string;
  actorId: string | null;
  actorEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  operation: string | null;
  entity: string;
  entityId: string | null;
  entityName: string | null;
  action: string;
  before: unknown;
  after: unknown;
}

const FIELDS = 'id createdAt actorType actorId actorEmail ip userAgent operation entity entityId entityName action before after';
const QUERY = `query($first: Int, $after: String, $actor: String, $entity: String, $entityId: ID, $action: String, $from: DateTime, $to: DateTime) {
  auditEvents(first: $first, after: $after, actor: $actor, entity: $entity, entityId: $entityId, action: $action, from: $from, to: $to) {
    nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

// Secrets used below; none may appear anywhere in the audit log.
const PROVIDER_KEY = 'sk-audit-provider-secret-0123456789';
const ROTATED_PROVIDER_KEY = 'sk-audit-provider-rotated-9876543210';
const HEADER_VALUE = 'hdr-secret-value-abcdef123456';
const USER_PASSWORD = 'audited-user-password-1';
const NEW_PASSWORD = 'audited-user-password-2';
const CLIENT_SECRET = 'oidc-client-secret-for-audit-42';

describe('audit log', () => {
  let gw: TestGateway;
  const plaintexts: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  async function allEvents(filter: Record<string, unknown> = {}): Promise<AuditRow[]> {
    const rows: AuditRow[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await gw.admin<{ auditEvents: { nodes: AuditRow[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(QUERY, {
        first: 7,
        after,
        ...filter,
      });
      rows.push(...page.auditEvents.nodes);
      if (!page.auditEvents.pageInfo.hasNextPage) return rows;
      after = page.auditEvents.pageInfo.endCursor;
    }
  }

  test('every mutation appears exactly once, with who, from where, what and the change, secrets masked', async () => {
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const providerId = await createProvider(gw, {
      name: 'audited',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: PROVIDER_KEY,
      headers: { 'x-org-token': HEADER_VALUE },
    });
    await updateProvider(gw, providerId, { apiKey: ROTATED_PROVIDER_KEY, baseUrl: 'http://127.0.0.1:10/v1' });
    const modelId = await createModel(gw, providerId, 'audited-model', 'gpt-4o-mini');
    await createVirtualModel(gw, { name: 'audited-vm', strategy: 'FAILOVER', targets: [{ modelId }] });
    const key = await createKey(gw, { name: 'audited-key' });
    plaintexts.push(key.key);
    await updateKey(gw, key.id, { rpmLimit: 7 });
    const rotated = await gw.admin<{ rotateVirtualKey: { key: string } }>('mutation($id: ID!) { rotateVirtualKey(id: $id, gracePeriodSeconds: 60) { key } }', {
      id: key.id,
    });
    plaintexts.push(rotated.rotateVirtualKey.key);
    await revokeKey(gw, key.id);
    const userId = await createUser(gw, { email: 'audited@example.com', password: USER_PASSWORD, role: 'viewer' });
    await gw.admin('mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }', {
      id: userId,
      i: { password: NEW_PASSWORD, role: 'admin' },
    });
    await gw.admin('mutation($id: ID!) { deleteUser(id: $id) }', { id: userId });
    await gw.admin('mutation($i: SsoSettingsInput!) { updateSsoSettings(input: $i) { clientSecretSet } }', {
      i: {
        enabled: false,
        issuerUrl: 'http://127.0.0.1:9/issuer',
        clientId: 'gateway',
        clientSecret: CLIENT_SECRET,
        redirectUrl: `${gw.url}/auth/sso/callback`,
      },
    });
    // Outside the config service: a cache purge.
    await gw.admin('mutation($k: ID) { purgeCache(keyId: $k) }', { k: key.id });
    // A sign-in, with where it came from.
    const login = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'audit-suite/1.0' },
      body: JSON.stringify({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        variables: { e: ADMIN_EMAIL, p: 'correct-horse-battery' },
      }),
    });
    plaintexts.push(((await login.json()) as { data: { login: { token: string } } }).data.login.token);
    // A failing mutation changes nothing and is not recorded.
    const failed = await postOperation(gw.url, 'mutation { deleteVirtualKey(id: "missing") }', undefined, await gw.adminToken());
    expect(failed.errors?.length).toBe(1);

    const events = (await allEvents({ from: startedAt })).filter((e) => e.operation !== null);
    const byOperation = new Map<string, AuditRow[]>();
    for (const e of events) byOperation.set(e.operation!, [...(byOperation.get(e.operation!) ?? []), e]);
    const expected = [
      'createProvider',
      'updateProvider',
      'createModel',
      'createVirtualModel',
      'createVirtualKey',
      'updateVirtualKey',
      'rotateVirtualKey',
      'revokeVirtualKey',
      'createUser',
      'updateUser',
      'deleteUser',
      'updateSsoSettings',
      'purgeCache',
      'login',
    ];
    // The admin fixture signs in once before its first mutation: that login is in the log too.
    const counts = Object.fromEntries(expected.map((op) => [op, byOperation.get(op)?.length ?? 0]));
    expect(counts).toEqual({ ...Object.fromEntries(expected.map((op) => [op, 1])), login: counts.login });
    expect(counts.login).toBeGreaterThanOrEqual(1);
    expect([...byOperation.keys()].sort()).toEqual([...expected].sort());
    expect(byOperation.has('deleteVirtualKey')).toBe(false);

    // Who, from where, what.
    const one = (op: string) => byOperation.get(op)![0];
    const update = one('updateProvider');
    expect(update).toMatchObject({
      actorType: 'user',
      actorEmail: ADMIN_EMAIL,
      entity: 'provider',
      entityId: providerId,
      entityName: 'audited',
      action: 'update',
    });
    expect(update.ip).toMatch(/127\.0\.0\.1/);
    expect(update.before).toMatchObject({ baseUrl: 'http://127.0.0.1:9/v1', apiKeyEncrypted: '[masked]', headers: { 'x-org-token': '[masked]' } });
    expect(update.after).toMatchObject({ baseUrl: 'http://127.0.0.1:10/v1', apiKeyEncrypted: '[masked]' });
    expect(one('rotateVirtualKey')).toMatchObject({ entity: 'virtualKey', entityId: key.id, action: 'rotate' });
    expect((one('rotateVirtualKey').after as Record<string, unknown>).previousKeyHash).toBe('[masked]');
    expect(one('updateVirtualKey').before).toMatchObject({ rpmLimit: null, keyHash: '[masked]' });
    expect(one('updateVirtualKey').after).toMatchObject({ rpmLimit: 7 });
    expect(one('updateUser')).toMatchObject({ entity: 'user', entityId: userId, action: 'update' });
    expect(one('updateUser').before).toMatchObject({ role: 'viewer', passwordHash: '[masked]' });
    expect(one('updateUser').after).toMatchObject({ role: 'admin' });
    expect(one('deleteUser')).toMatchObject({ entity: 'user', action: 'delete', entityName: 'audited@example.com' });
    expect(one('updateSsoSettings')).toMatchObject({ entity: 'settings', entityName: 'sso', action: 'update' });
    expect(one('updateSsoSettings').after).toMatchObject({ clientId: 'gateway', clientSecretSealed: '[masked]' });
    expect(one('purgeCache')).toMatchObject({ entity: 'mutation', action: 'purgeCache', after: { keyId: key.id } });
    const lastLogin = byOperation.get('login')!.find((e) => e.userAgent === 'audit-suite/1.0')!;
    expect(lastLogin).toMatchObject({ actorType: 'user', actorEmail: ADMIN_EMAIL, entity: 'session', action: 'login' });

    const text = JSON.stringify(await allEvents());
    for (const secret of [
      PROVIDER_KEY,
      ROTATED_PROVIDER_KEY,
      HEADER_VALUE,
      USER_PASSWORD,
      NEW_PASSWORD,
      CLIENT_SECRET,
      'correct-horse-battery',
      ...plaintexts,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/v1:[A-Za-z0-9_-]{10,}:/); // no sealed value either
    expect(text).not.toMatch(/\$argon2/);
  });

  test('filters by actor, entity, entity id, action and time range; pages as a connection; viewers are refused', async () => {
    const providerId = await createProvider(gw, { name: 'filtered', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    await updateProvider(gw, providerId, { baseUrl: 'http://127.0.0.1:11/v1' });
    const forProvider = await allEvents({ entity: 'provider', entityId: providerId });
    expect(forProvider.map((e) => e.action)).toEqual(['update', 'create']); // newest first
    expect((await allEvents({ entity: 'provider', entityId: providerId, action: 'create' })).length).toBe(1);
    expect((await allEvents({ actor: ADMIN_EMAIL, entityId: providerId })).length).toBe(2);
    expect((await allEvents({ actor: 'nobody@example.com', entityId: providerId })).length).toBe(0);
    const created = Date.parse(forProvider[1].createdAt);
    expect((await allEvents({ entityId: providerId, to: new Date(created).toISOString() })).length).toBe(0);
    expect((await allEvents({ entityId: providerId, from: new Date(created).toISOString() })).length).toBe(2);
    expect((await allEvents({ entityId: providerId, from: new Date(Date.now() + 60_000).toISOString() })).length).toBe(0);

    await createUser(gw, { email: 'audit-viewer@example.com', password: 'viewer-password-1', role: 'viewer' });
    const viewer = await signIn(gw.url, 'audit-viewer@example.com', 'viewer-password-1');
    const refused = await postOperation(gw.url, QUERY, {}, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
