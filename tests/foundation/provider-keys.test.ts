import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../server/crypto/secret-box.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { everyFieldSelection, gqlRaw, onlyError, storedBytes, storedRow as readRow, unique } from './helpers.js';

const CREATE = (selection: string) => `mutation($i: CreateProviderInput!) { createProvider(input: $i) { ${selection} } }`;
const UPDATE = (selection: string) => `mutation($id: ID!, $i: UpdateProviderInput!) { updateProvider(id: $id, input: $i) { ${selection} } }`;

/** A realistic-looking key whose every part is random, so a hit can only be a leak. */
const newKey = () => `sk-proj-${randomBytes(24).toString('base64url')}`;

describe('provider API keys', () => {
  let gateway: TestGateway;
  let token: string;
  let everyField: string;
  const plaintext = newKey();
  // Everything but the last four characters (which the hint shows on purpose).
  const secretPart = plaintext.slice(0, -4);
  let providerId: string;

  const storedRow = (id: string) => readRow<{ apiKeyEncrypted: string | null; apiKeyHint: string | null }>(gateway, 'Provider', id);

  beforeAll(async () => {
    gateway = await startTestGateway();
    token = await gateway.adminToken();
    everyField = await everyFieldSelection(gateway, 'Provider');
  });
  afterAll(() => gateway?.stop());

  it('queries every Provider field, including headers, options and models', () => {
    for (const field of ['id', 'name', 'type', 'baseUrl', 'apiKeyHint', 'hasApiKey', 'headers', 'options', 'enabled', 'models {']) {
      expect(everyField).toContain(field);
    }
  });

  it('creates a provider with a key and never returns the key, not even from the create mutation', async () => {
    const res = await gqlRaw(
      gateway,
      CREATE(everyField),
      {
        i: {
          name: unique('openai'),
          type: 'openai',
          baseUrl: 'https://api.example.test/v1/',
          apiKey: plaintext,
          headers: { 'X-Team': 'gateway' },
          options: { timeouts: { firstByteMs: 5000 } },
        },
      },
      token,
    );
    expect(res.json.errors).toBeUndefined();
    const provider = res.json.data.createProvider;
    providerId = provider.id;
    expect(provider.hasApiKey).toBe(true);
    expect(provider.apiKeyHint).toBe(`sk-…${plaintext.slice(-4)}`);
    expect(provider.baseUrl).toBe('https://api.example.test/v1');
    // Header values are write-only like the key: names with a masked hint.
    expect(provider.headers).toEqual({ 'X-Team': '…ay' });
    expect(provider.options).toEqual({ timeouts: { firstByteMs: 5000 } });
    expect(res.text).not.toContain(secretPart);
    expect(res.text).not.toContain(plaintext);
  });

  it('never returns the key or its ciphertext from any query', async () => {
    await gateway.admin('mutation($i: CreateModelInput!) { createModel(input: $i) { id } }', {
      i: { providerId, name: unique('gpt'), upstreamModel: 'gpt-4o-mini' },
    });
    const ciphertext = (await storedRow(providerId)).apiKeyEncrypted!;
    const modelSelection = await everyFieldSelection(gateway, 'Model');
    const queries = [
      `{ providers { ${everyField} } }`,
      `query($id: ID!) { provider(id: $id) { ${everyField} } }`,
      `{ models { nodes { ${modelSelection} provider { ${everyField} } } } }`,
      '{ overview { providers models } }',
    ];
    for (const query of queries) {
      const res = await gqlRaw(gateway, query, { id: providerId }, token);
      expect(res.json.errors, query).toBeUndefined();
      expect(res.text).not.toContain(secretPart);
      expect(res.text).not.toContain(ciphertext);
      expect(res.text).not.toContain(ciphertext.split(':')[3]);
    }
    // Control: the list did contain the provider (with its hint), so the searches above looked at it.
    const list = await gqlRaw(gateway, `{ providers { ${everyField} } }`, undefined, token);
    expect(list.text).toContain(providerId);
    expect(list.text).toContain(`sk-…${plaintext.slice(-4)}`);
  });

  it('stores AES-GCM ciphertext in the database, never the plaintext', async () => {
    const row = await storedRow(providerId);
    const sealed = row.apiKeyEncrypted!;
    expect(sealed).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toBe(plaintext);
    expect(sealed).not.toContain(secretPart);
    expect(sealed).not.toContain(Buffer.from(plaintext).toString('base64url'));
    expect(row.apiKeyHint).toBe(`sk-…${plaintext.slice(-4)}`);
    // No column of the row holds the key.
    for (const value of Object.values(row)) {
      if (typeof value === 'string') expect(value).not.toContain(secretPart);
    }

    // What the database holds (SQLite: file + write-ahead log; PostgreSQL: every stored row) has the ciphertext but not the key.
    const bytes = await storedBytes(gateway);
    expect(bytes.includes(Buffer.from(sealed))).toBe(true);
    expect(bytes.includes(Buffer.from(secretPart))).toBe(false);

    // It is the key, sealed under the instance's encryption key.
    const encryptionKey = readFileSync(path.join(gateway.dataDir, 'encryption-key'), 'utf8').trim();
    expect(new SecretBox(encryptionKey).open(sealed)).toBe(plaintext);
    expect(() => new SecretBox('some-other-encryption-key-0123456789').open(sealed)).toThrow();
  });

  it('hands the decrypted key to the in-memory snapshot only', () => {
    expect(gateway.services.snapshot.current.providersById.get(providerId)?.apiKey).toBe(plaintext);
  });

  it('seals the same key differently each time (random IV)', async () => {
    const other = await gateway.admin<{ createProvider: { id: string; apiKeyHint: string | null } }>(CREATE('id apiKeyHint'), {
      i: { name: unique('twin'), type: 'openai', baseUrl: 'https://api.example.test/v1', apiKey: plaintext },
    });
    expect(other.createProvider.apiKeyHint).toBe(`sk-…${plaintext.slice(-4)}`);
    expect((await storedRow(other.createProvider.id)).apiKeyEncrypted).not.toBe((await storedRow(providerId)).apiKeyEncrypted);
    await gateway.admin('mutation($id: ID!) { deleteProvider(id: $id) }', { id: other.createProvider.id });
  });

  it('keeps the key when an update omits apiKey', async () => {
    const before = (await storedRow(providerId)).apiKeyEncrypted;
    const newName = unique('renamed');
    const res = await gqlRaw(gateway, UPDATE(everyField), { id: providerId, i: { name: newName, enabled: false } }, token);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.updateProvider).toMatchObject({ name: newName, enabled: false, hasApiKey: true, apiKeyHint: `sk-…${plaintext.slice(-4)}` });
    expect(res.text).not.toContain(secretPart);
    expect((await storedRow(providerId)).apiKeyEncrypted).toBe(before);
    expect(gateway.services.snapshot.current.providersById.get(providerId)?.apiKey).toBe(plaintext);
  });

  it('replaces the key when an update sets a new one', async () => {
    const replacement = `sk-ant-${randomBytes(24).toString('base64url')}`;
    const res = await gqlRaw(gateway, UPDATE(everyField), { id: providerId, i: { apiKey: replacement } }, token);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.updateProvider.apiKeyHint).toBe(`sk-…${replacement.slice(-4)}`);
    expect(res.text).not.toContain(replacement.slice(0, -4));
    expect(gateway.services.snapshot.current.providersById.get(providerId)?.apiKey).toBe(replacement);
    expect((await storedBytes(gateway)).includes(Buffer.from(replacement.slice(0, -4)))).toBe(false);
  });

  it("removes the key when an update sets apiKey to ''", async () => {
    const res = await gateway.admin<{ updateProvider: unknown }>(UPDATE('hasApiKey apiKeyHint'), { id: providerId, i: { apiKey: '' } });
    expect(res.updateProvider).toEqual({ hasApiKey: false, apiKeyHint: null });
    const row = await storedRow(providerId);
    expect(row.apiKeyEncrypted).toBeNull();
    expect(row.apiKeyHint).toBeNull();
    expect(gateway.services.snapshot.current.providersById.get(providerId)?.apiKey).toBeUndefined();
  });

  it('does not echo the key in validation or conflict errors', async () => {
    const key = newKey();
    const invalid = await gqlRaw(gateway, CREATE('id'), { i: { name: unique('bad'), type: 'openai', baseUrl: 'not a url', apiKey: key } }, token);
    expect(onlyError(invalid.json).extensions?.code).toBe('BAD_USER_INPUT');
    expect(onlyError(invalid.json).message).toMatch(/baseUrl/);
    expect(invalid.text).not.toContain(key.slice(0, -4));

    const existingName = (await gateway.admin<{ providers: Array<{ name: string }> }>('{ providers { name } }')).providers[0].name;
    const duplicate = await gqlRaw(gateway, CREATE('id'), { i: { name: existingName, type: 'openai', baseUrl: 'https://x.example.test', apiKey: key } }, token);
    expect(onlyError(duplicate.json).message).toMatch(/already exists/);
    expect(duplicate.text).not.toContain(key.slice(0, -4));
    expect((await storedBytes(gateway)).includes(Buffer.from(key.slice(0, -4)))).toBe(false);
  });

  it('offers at least 20 provider presets with distinct types', async () => {
    const { providerPresets } = await gateway.admin<{ providerPresets: Array<{ type: string; displayName: string; defaultBaseUrl: string | null }> }>(
      '{ providerPresets { type displayName wire defaultBaseUrl auth keyOptional } }',
    );
    expect(providerPresets.length).toBeGreaterThanOrEqual(20);
    const types = providerPresets.map((p) => p.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(expect.arrayContaining(['openai', 'anthropic', 'gemini', 'deepseek', 'ollama']));
    for (const preset of providerPresets) {
      expect(preset.displayName).toBeTruthy();
      expect(preset.defaultBaseUrl).toMatch(/^https?:\/\//);
    }
  });
});
