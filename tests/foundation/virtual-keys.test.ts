import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { everyFieldSelection, gqlRaw, onlyError, sha256Hex, storedBytes, storedRow, tableCount } from './helpers.js';

/** CREATE's answer, with the virtual key fields the tests read. */
type Created = { createVirtualKey: { key: string; virtualKey: { id: string; expiresAt?: string | null } } };
const CREATE = (selection: string) => `mutation($i: CreateVirtualKeyInput!) { createVirtualKey(input: $i) { key virtualKey { ${selection} } } }`;

describe('virtual keys', () => {
  let gateway: TestGateway;
  let token: string;
  let everyField: string;
  let key: string;
  let keyId: string;

  const row = (id: string) => storedRow<{ keyHash: string; keyPrefix: string; revokedAt: unknown }>(gateway, 'VirtualKey', id);
  const keyCount = () => tableCount(gateway, 'VirtualKey');

  beforeAll(async () => {
    gateway = await startTestGateway();
    token = await gateway.adminToken();
    everyField = await everyFieldSelection(gateway, 'VirtualKey');
  });
  afterAll(() => gateway?.stop());

  it('returns the plaintext key exactly once, from createVirtualKey', async () => {
    const res = await gqlRaw(
      gateway,
      CREATE(everyField),
      { i: { name: 'ci-pipeline', rpmLimit: 60, allowedModels: ['gpt-4o-mini'], budgetUsd: 5, budgetPeriod: 'monthly' } },
      token,
    );
    expect(res.json.errors).toBeUndefined();
    const created = res.json.data.createVirtualKey;
    key = created.key;
    keyId = created.virtualKey.id;
    expect(key).toMatch(/^sk-gw-[A-Za-z0-9_-]{40,}$/);
    expect(created.virtualKey).toMatchObject({
      name: 'ci-pipeline',
      rpmLimit: 60,
      allowedModels: ['gpt-4o-mini'],
      budgetUsd: 5,
      budgetPeriod: 'monthly',
      revokedAt: null,
      enabled: true,
    });
    // The prefix identifies the key without giving it away.
    const prefix = created.virtualKey.keyPrefix;
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix.startsWith('sk-gw-')).toBe(true);
    expect(prefix.length).toBeLessThanOrEqual(16);
    expect(key.length - prefix.length).toBeGreaterThanOrEqual(32);
    // The key appears in the response once: in `key`, not in any field of the object.
    expect(res.text.split(key.slice(prefix.length)).length - 1).toBe(1);
  });

  it('gives every key a different value', async () => {
    const other = await gateway.admin<Created>(CREATE('id'), { i: { name: 'second' } });
    expect(other.createVirtualKey.key).not.toBe(key);
    expect(other.createVirtualKey.key.startsWith('sk-gw-')).toBe(true);
  });

  it('never returns the key from a later query or update', async () => {
    const stored = await row(keyId);
    const secret = key.slice(stored.keyPrefix.length);
    const responses = [
      await gqlRaw(gateway, `{ virtualKeys(includeRevoked: true) { nodes { ${everyField} } } }`, undefined, token),
      await gqlRaw(gateway, `{ virtualKeys { nodes { ${everyField} } } }`, undefined, token),
      await gqlRaw(gateway, `mutation($id: ID!) { updateVirtualKey(id: $id, input: { name: "renamed" }) { ${everyField} } }`, { id: keyId }, token),
    ];
    for (const res of responses) {
      expect(res.json.errors).toBeUndefined();
      expect(res.text).toContain(keyId); // control: the key's record is in the response
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(stored.keyHash);
    }
    // No query field offers the plaintext or the hash.
    const fields = (
      await gateway.admin<{ __type: { fields: Array<{ name: string }> } }>('{ __type(name: "VirtualKey") { fields { name } } }')
    ).__type.fields.map((f) => f.name);
    expect(fields).not.toContain('key');
    expect(fields).not.toContain('keyHash');
  });

  it('stores only sha256(key) as hex and a short prefix', async () => {
    const stored = await row(keyId);
    expect(stored.keyHash).toBe(sha256Hex(key));
    expect(stored.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.startsWith(stored.keyPrefix)).toBe(true);
    expect(stored.keyPrefix.length).toBeLessThan(key.length / 2);
    const secret = key.slice(stored.keyPrefix.length);
    for (const [column, value] of Object.entries(stored)) {
      if (typeof value === 'string') expect(value, column).not.toContain(secret);
    }
    // What the database holds (SQLite: file + write-ahead log; PostgreSQL: every stored row) has the hash, never the key.
    const bytes = await storedBytes(gateway);
    expect(bytes.includes(Buffer.from(stored.keyHash))).toBe(true);
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('indexes the key by its hash in the in-memory snapshot', () => {
    const entry = gateway.services.snapshot.current.keysByHash.get(sha256Hex(key));
    expect(entry?.id).toBe(keyId);
  });

  it('clearing the allowed models stores SQL NULL on either database, not an empty JSON object', async () => {
    const { createVirtualKey } = await gateway.admin<Created>(CREATE('id'), { i: { name: 'cleared', allowedModels: ['gpt-4o-mini'] } });
    const id = createVirtualKey.virtualKey.id;
    const { updateVirtualKey } = await gateway.admin<{ updateVirtualKey: { allowedModels: string[] | null } }>(
      'mutation($id: ID!) { updateVirtualKey(id: $id, input: { allowedModels: null }) { allowedModels } }',
      {
        id,
      },
    );
    expect(updateVirtualKey.allowedModels).toBeNull();
    const stored = await storedRow<{ allowedModels: unknown }>(gateway, 'VirtualKey', id);
    expect(stored.allowedModels).toBeNull();
  });

  it('revokes a key: revokedAt is set and it leaves the default list', async () => {
    const before = Date.now();
    const { revokeVirtualKey } = await gateway.admin<{ revokeVirtualKey: { revokedAt: string; enabled: boolean } }>(
      'mutation($id: ID!) { revokeVirtualKey(id: $id) { id revokedAt enabled } }',
      { id: keyId },
    );
    expect(revokeVirtualKey.enabled).toBe(false);
    const revokedAt = Date.parse(revokeVirtualKey.revokedAt);
    expect(revokedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(revokedAt).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await row(keyId)).revokedAt).not.toBeNull();

    const active = (await gateway.admin<{ virtualKeys: { nodes: Array<{ id: string }> } }>('{ virtualKeys { nodes { id } } }')).virtualKeys.nodes.map(
      (k) => k.id,
    );
    expect(active).not.toContain(keyId);
    const all = await gateway.admin<{ virtualKeys: { nodes: Array<{ id: string; revokedAt: string | null }> } }>(
      '{ virtualKeys(includeRevoked: true) { nodes { id revokedAt } } }',
    );
    expect(all.virtualKeys.nodes.find((k) => k.id === keyId)?.revokedAt).toBe(revokeVirtualKey.revokedAt);

    const missing = await gateway.gql('mutation { revokeVirtualKey(id: "no-such-key") { id } }', undefined, token);
    expect(onlyError(missing).extensions?.code).toBe('NOT_FOUND');
  });

  describe('validation', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a negative rpmLimit', { name: 'k', rpmLimit: -1 }, 'rpmLimit'],
      ['a zero tpmLimit', { name: 'k', tpmLimit: 0 }, 'tpmLimit'],
      ['a negative maxConcurrency', { name: 'k', maxConcurrency: -5 }, 'maxConcurrency'],
      ['a negative budget', { name: 'k', budgetUsd: -10 }, 'budgetUsd'],
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['an expiry in the past', { name: 'k', expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
    ];
    for (const [what, input, field] of cases) {
      it(`refuses ${what} with BAD_USER_INPUT naming ${field}`, async () => {
        const count = await keyCount();
        const result = await gateway.gql(CREATE('id'), { i: input }, token);
        const error = onlyError(result);
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).toContain(field);
        expect(error.extensions?.field).toBe(field);
        expect(result.data ?? null).toBeNull();
        expect(await keyCount()).toBe(count);
      });
    }

    it('refuses an expiry that is not a date', async () => {
      const result = await gateway.gql(CREATE('id'), { i: { name: 'k', expiresAt: 'next tuesday' } }, token);
      expect(onlyError(result).message).toMatch(/expiresAt|DateTime/);
    });

    it('accepts an expiry in the future', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const { createVirtualKey } = await gateway.admin<Created>(CREATE('expiresAt'), { i: { name: 'tomorrow', expiresAt } });
      expect(createVirtualKey.virtualKey.expiresAt).toBe(expiresAt);
    });

    it('validates updates too', async () => {
      const result = await gateway.gql('mutation($id: ID!) { updateVirtualKey(id: $id, input: { rpmLimit: -3 }) { id } }', { id: keyId }, token);
      expect(onlyError(result).extensions?.code).toBe('BAD_USER_INPUT');
      expect(onlyError(result).message).toContain('rpmLimit');
    });
  });
});
