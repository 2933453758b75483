/**
 * Header values in a model's request defaults are write-only like provider
 * headers: sealed at rest, shown as hints to admins and viewers alike, kept
 * when an update gives them as null, and still sent upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../server/crypto/secret-box.js';
import { storedBytes } from '../foundation/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createModel, createProvider, lastRequest, openaiClient } from '../support/proxy-fixture.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { newUserToken } from '../support/admin.js';

const DEFAULTS = 'query($id: ID!) { model(id: $id) { requestDefaults } }';
const LIST = '{ models(first: 500) { nodes { name requestDefaults } } }';
const UPDATE = 'mutation($id: ID!, $i: UpdateModelInput!) { updateModel(id: $id, input: $i) { requestDefaults } }';

describe('write-only request-default headers of a model', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let modelId: string;
  let appKey: string;
  let viewerToken: string;
  const auth = 'model-team-auth-value-5d1e8c2b9a';
  const other = 'model-other-header-value-3f6b';

  beforeAll(async () => {
    gw = await startTestGateway();
    mock = await startOpenAIChatMock();
    const providerId = await createProvider(gw, { name: 'plain', type: 'openai', baseUrl: mock.url });
    modelId = await createModel(gw, providerId, 'hdr-model', 'gpt-4o', {
      requestDefaults: { body: { max_tokens: 77 }, headers: { 'X-Team-Auth': auth, 'X-Other': other } },
    });
    appKey = (await createKey(gw)).key;
    viewerToken = await newUserToken(gw, { email: 'viewer@example.com', password: 'a-long-viewer-password-1', role: 'viewer' });
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  const send = async () => {
    await openaiClient(gw, appKey).chat.completions.create({ model: 'hdr-model', messages: [{ role: 'user', content: 'hi' }] });
    return lastRequest(mock);
  };

  it('sends the values upstream and keeps the body readable', async () => {
    const { headers, body } = await send();
    expect(headers['x-team-auth']).toBe(auth);
    expect(headers['x-other']).toBe(other);
    expect(body.max_tokens).toBe(77);
  });

  it('shows admins and viewers only names with masked hints', async () => {
    const expected = { body: { max_tokens: 77 }, headers: { 'X-Team-Auth': maskSecret(auth), 'X-Other': maskSecret(other) } };
    expect((await gw.admin<{ model: { requestDefaults: unknown } }>(DEFAULTS, { id: modelId })).model.requestDefaults).toEqual(expected);
    const asViewer = await gw.gql<{ models: { nodes: unknown[] } }>(LIST, undefined, viewerToken);
    expect(asViewer.errors).toBeUndefined();
    expect(asViewer.data?.models.nodes).toEqual([{ name: 'hdr-model', requestDefaults: expected }]);
    const raw = JSON.stringify([await gw.gql(LIST, undefined, viewerToken), await gw.gql(LIST, undefined, await gw.adminToken())]);
    expect(raw).not.toContain(auth.slice(0, -4));
    expect(raw).not.toContain(other.slice(0, -4));
  });

  it('scrubs a value an upstream echoes back from the client error', async () => {
    mock.enqueue({ type: 'error', status: 400, body: { error: { message: `bad team credential ${auth}`, type: 'invalid_request_error' } } });
    const error = (await openaiClient(gw, appKey)
      .chat.completions.create({ model: 'hdr-model', messages: [{ role: 'user', content: 'hi' }] }, { maxRetries: 0 })
      .then(
        () => undefined,
        (e: unknown) => e,
      )) as { status: number; error: { message: string } } | undefined;
    expect(error?.status).toBe(400);
    expect(JSON.stringify(error)).not.toContain(auth);
    expect(error?.error.message).toBe('bad team credential [redacted]');
  });

  it('stores the values sealed', async () => {
    const bytes = await storedBytes(gw);
    expect(bytes.includes(Buffer.from(auth))).toBe(false);
    expect(bytes.includes(Buffer.from(other))).toBe(false);
  });

  it('keeps a value given as null, sets a new one and drops names left out', async () => {
    const res = await gw.admin<{ updateModel: { requestDefaults: unknown } }>(UPDATE, {
      id: modelId,
      i: { requestDefaults: { body: { max_tokens: 88 }, headers: { 'X-Team-Auth': null, 'X-New': 'new-model-header-1' } } },
    });
    expect(res.updateModel.requestDefaults).toEqual({
      body: { max_tokens: 88 },
      headers: { 'X-Team-Auth': maskSecret(auth), 'X-New': maskSecret('new-model-header-1') },
    });
    const { headers, body } = await send();
    expect(headers['x-team-auth']).toBe(auth);
    expect(headers['x-new']).toBe('new-model-header-1');
    expect(headers['x-other']).toBeUndefined();
    expect(body.max_tokens).toBe(88);
    expect((await storedBytes(gw)).includes(Buffer.from('new-model-header-1'))).toBe(false);
  });

  it('keeps every header when an update leaves `headers` out, and when it leaves the defaults out', async () => {
    await gw.admin(UPDATE, { id: modelId, i: { requestDefaults: { body: { max_tokens: 99 } } } });
    await gw.admin(UPDATE, { id: modelId, i: { contextWindow: 64000 } });
    const { headers, body } = await send();
    expect(headers['x-team-auth']).toBe(auth);
    expect(headers['x-new']).toBe('new-model-header-1');
    expect(body.max_tokens).toBe(99);
  });

  it('refuses to keep a header that has no stored value, on update and on create', async () => {
    const res = await gw.gql(UPDATE, { id: modelId, i: { requestDefaults: { headers: { 'X-Missing': null } } } }, await gw.adminToken());
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/X-Missing/);
    const created = await gw.gql(
      'mutation($i: CreateModelInput!) { createModel(input: $i) { id } }',
      {
        i: {
          providerId: (await gw.admin<{ providers: Array<{ id: string }> }>('{ providers { id } }')).providers[0].id,
          name: 'other',
          upstreamModel: 'gpt-4o',
          requestDefaults: { headers: { 'X-A': null } },
        },
      },
      await gw.adminToken(),
    );
    expect(created.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('seals request-default header values an older version stored in plain text, at the next start', async () => {
    const legacy = 'legacy-plain-model-header-value-64';
    await gw.services.db.model.update({ where: { id: modelId }, data: { requestDefaults: { body: { max_tokens: 5 }, headers: { 'X-Legacy': legacy } } } });
    const dataDir = gw.dataDir;
    await gw.close();
    gw = await startTestGateway({}, dataDir);
    expect(gw.services.snapshot.current.modelsByName.get('hdr-model')?.requestDefaults).toEqual({ body: { max_tokens: 5 }, headers: { 'X-Legacy': legacy } });
    expect((await storedBytes(gw)).includes(Buffer.from(legacy))).toBe(false);
    expect((await gw.admin<{ model: { requestDefaults: unknown } }>(DEFAULTS, { id: modelId })).model.requestDefaults).toEqual({
      body: { max_tokens: 5 },
      headers: { 'X-Legacy': maskSecret(legacy) },
    });
    const { headers } = await send();
    expect(headers['x-legacy']).toBe(legacy);
  });
});
