/**
 * Provider extra headers are write-only like API keys: sealed at rest, shown as
 * hints, kept when an update leaves their value out, and still sent upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../server/crypto/secret-box.js';
import { storedBytes } from '../foundation/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createModel, createProvider, lastRequest, openaiClient, updateProvider } from '../support/proxy-fixture.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

const HEADERS = 'query($id: ID!) { provider(id: $id) { headers } }';

describe('write-only provider headers', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let providerId: string;
  let appKey: string;
  const auth = 'team-auth-value-0f3c9a7e5b';
  const other = 'second-header-value-77aa';

  beforeAll(async () => {
    gw = await startTestGateway();
    mock = await startOpenAIChatMock();
    providerId = await createProvider(gw, { name: 'hdr', type: 'openai', baseUrl: mock.url, headers: { 'X-Team-Auth': auth, 'X-Other': other } });
    await createModel(gw, providerId, 'hdr-model', 'gpt-4o');
    appKey = (await createKey(gw)).key;
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  const send = async () => {
    await openaiClient(gw, appKey).chat.completions.create({ model: 'hdr-model', messages: [{ role: 'user', content: 'hi' }] });
    return lastRequest(mock).headers;
  };

  it('sends the values upstream, stores them sealed and shows only hints', async () => {
    const headers = await send();
    expect(headers['x-team-auth']).toBe(auth);
    expect(headers['x-other']).toBe(other);
    const shown = (await gw.admin<{ provider: { headers: Record<string, string> } }>(HEADERS, { id: providerId })).provider.headers;
    expect(shown).toEqual({ 'X-Team-Auth': maskSecret(auth), 'X-Other': maskSecret(other) });
    expect(shown['X-Team-Auth']).not.toContain(auth.slice(0, -4));
    const bytes = await storedBytes(gw);
    expect(bytes.includes(Buffer.from(auth))).toBe(false);
    expect(bytes.includes(Buffer.from(other))).toBe(false);
  });

  it('keeps a value given as null, replaces a new one and drops names left out', async () => {
    await updateProvider(gw, providerId, { headers: { 'X-Team-Auth': null, 'X-New': 'new-header-value-1' } as any });
    const headers = await send();
    expect(headers['x-team-auth']).toBe(auth);
    expect(headers['x-new']).toBe('new-header-value-1');
    expect(headers['x-other']).toBeUndefined();
    // Leaving the field out keeps every header.
    await updateProvider(gw, providerId, { name: 'hdr-renamed' });
    expect(Object.keys((await gw.admin<{ provider: { headers: Record<string, string> } }>(HEADERS, { id: providerId })).provider.headers).sort()).toEqual([
      'X-New',
      'X-Team-Auth',
    ]);
  });

  it('refuses to keep a header that has no stored value', async () => {
    const res = await gw.gql(
      'mutation($id: ID!, $i: UpdateProviderInput!) { updateProvider(id: $id, input: $i) { id } }',
      { id: providerId, i: { headers: { 'X-Missing': null } } },
      await gw.adminToken(),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/X-Missing/);
  });

  it('seals header values an older version stored in plain text, at the next start', async () => {
    const legacy = 'legacy-plain-header-value-42';
    await gw.services.db.provider.update({ where: { id: providerId }, data: { headers: { 'X-Legacy': legacy } } });
    const dataDir = gw.dataDir;
    await gw.close();
    gw = await startTestGateway({}, dataDir);
    expect(gw.services.snapshot.current.providersById.get(providerId)?.headers).toEqual({ 'X-Legacy': legacy });
    const bytes = await storedBytes(gw);
    expect(bytes.includes(Buffer.from(legacy))).toBe(false);
    expect((await gw.admin<{ provider: { headers: Record<string, string> } }>(HEADERS, { id: providerId })).provider.headers).toEqual({
      'X-Legacy': maskSecret(legacy),
    });
  });
});
