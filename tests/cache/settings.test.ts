/**
 * Cache settings of virtual keys and virtual models, set over GraphQL, and
 * the purge: caching without any request header, entries shared across keys
 * only when an admin says so, client control turned off, a key's or a
 * model's entries purged.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createVirtualModel } from '../support/admin.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { openaiClient } from '../support/proxy-fixture.js';
import { addPricedUpstream, userTurn } from './helpers.js';

let gw: TestGateway;
let chat: MockUpstream;
let modelId: string;
let n = 0;
const fresh = (what: string) => `${what} #${++n}`;

const SET_VM =
  'mutation($id: ID!, $i: CacheSettingsInput) { setVirtualModelCache(id: $id, input: $i) { id cache { enabled ttlSeconds shared clientControl semantic { enabled embeddingModel threshold } } } }';
/** A cache setting as SET_VM and SET_KEY answer it. */
type CacheAnswer = { cache: { enabled: boolean } };
const SET_KEY =
  'mutation($id: ID!, $i: CacheSettingsInput) { setVirtualKeyCache(id: $id, input: $i) { id cache { enabled ttlSeconds shared clientControl } } }';

beforeAll(async () => {
  gw = await startTestGateway();
  ({ mock: chat, modelId } = await addPricedUpstream(gw, 'openai-chat'));
});

afterAll(async () => {
  await gw?.stop();
  await chat?.close();
});

async function ask(key: string, model: string, text: string, headers: Record<string, string> = {}): Promise<{ cache: string | null; upstream: number }> {
  const before = chat.requests.length;
  const { response } = await openaiClient(gw, key)
    .chat.completions.create({ model, messages: userTurn(text) }, { headers })
    .withResponse();
  await gw.services.caches.responses.settled();
  return { cache: response.headers.get('x-gateway-cache'), upstream: chat.requests.length - before };
}

describe('a virtual model with caching on', () => {
  test('caches every request without a header, per key unless shared', async () => {
    const vmId = await createVirtualModel(gw, { name: 'cached-vm', strategy: 'FAILOVER', targets: [{ modelId }] });
    const data = await gw.admin<{ setVirtualModelCache: CacheAnswer }>(SET_VM, { id: vmId, i: { enabled: true, ttlSeconds: 120 } });
    expect(data.setVirtualModelCache.cache).toEqual({ enabled: true, ttlSeconds: 120, shared: false, clientControl: true, semantic: null });
    const a = await createKey(gw);
    const b = await createKey(gw);
    const text = fresh('vm');
    expect(await ask(a.key, 'cached-vm', text)).toEqual({ cache: 'miss', upstream: 1 });
    expect(await ask(a.key, 'cached-vm', text)).toEqual({ cache: 'hit', upstream: 0 });
    // Another key does not read the first key's entries.
    expect(await ask(b.key, 'cached-vm', text)).toEqual({ cache: 'miss', upstream: 1 });
    // The model behind it is not cached: the setting belongs to the virtual model.
    expect(await ask(a.key, 'm-openai-chat', text)).toEqual({ cache: null, upstream: 1 });

    await gw.admin(SET_VM, { id: vmId, i: { enabled: true, shared: true } });
    const shared = fresh('shared');
    expect(await ask(a.key, 'cached-vm', shared)).toEqual({ cache: 'miss', upstream: 1 });
    expect(await ask(b.key, 'cached-vm', shared)).toEqual({ cache: 'hit', upstream: 0 });

    // null restores the defaults: off.
    const off = await gw.admin<{ setVirtualModelCache: CacheAnswer }>(SET_VM, { id: vmId, i: null });
    expect(off.setVirtualModelCache.cache.enabled).toBe(false);
    expect(await ask(a.key, 'cached-vm', shared)).toEqual({ cache: null, upstream: 1 });
  });

  test('with client control off, request headers are ignored', async () => {
    const vmId = await createVirtualModel(gw, { name: 'locked-vm', strategy: 'FAILOVER', targets: [{ modelId }] });
    await gw.admin(SET_VM, { id: vmId, i: { enabled: true, clientControl: false } });
    const key = await createKey(gw);
    const text = fresh('locked');
    await ask(key.key, 'locked-vm', text);
    expect(await ask(key.key, 'locked-vm', text, { 'x-gateway-cache': 'no-cache' })).toEqual({ cache: 'hit', upstream: 0 });
    expect(await ask(key.key, 'locked-vm', text, { 'x-gateway-cache': 'no-store' })).toEqual({ cache: 'hit', upstream: 0 });
  });
});

describe('a virtual key with caching on', () => {
  test('caches its requests on every model; with client control off a TTL header turns nothing on', async () => {
    const key = await createKey(gw);
    const set = await gw.admin<{ setVirtualKeyCache: CacheAnswer }>(SET_KEY, { id: key.id, i: { enabled: true } });
    expect(set.setVirtualKeyCache.cache).toMatchObject({ enabled: true, shared: false, clientControl: true });
    const text = fresh('key');
    expect(await ask(key.key, 'm-openai-chat', text)).toEqual({ cache: 'miss', upstream: 1 });
    expect(await ask(key.key, 'm-openai-chat', text)).toEqual({ cache: 'hit', upstream: 0 });

    const strict = await createKey(gw);
    await gw.admin(SET_KEY, { id: strict.id, i: { enabled: false, clientControl: false } });
    const other = fresh('strict');
    expect(await ask(strict.key, 'm-openai-chat', other, { 'x-gateway-cache-ttl': '60' })).toEqual({ cache: null, upstream: 1 });
    expect(await ask(strict.key, 'm-openai-chat', other, { 'x-gateway-cache-ttl': '60' })).toEqual({ cache: null, upstream: 1 });
  });

  test('settings are validated', async () => {
    const key = await createKey(gw);
    const bad = await gw.gql(SET_KEY, { id: key.id, i: { enabled: true, ttlSeconds: -5 } }, await gw.adminToken());
    expect(bad.errors?.[0]?.message).toMatch(/ttlSeconds/);
    const semanticOnKey = await gw.gql(
      SET_KEY,
      { id: key.id, i: { enabled: true, semantic: { enabled: true, embeddingModel: 'm-openai-chat' } } },
      await gw.adminToken(),
    );
    expect(semanticOnKey.errors?.[0]?.message).toMatch(/virtual models/);
  });
});

describe('purge', () => {
  const PURGE = 'mutation($k: ID, $m: String) { purgeCache(keyId: $k, model: $m) }';

  test("a key's entries, then a model's", async () => {
    const key = await createKey(gw);
    const other = await createKey(gw);
    const on = { 'x-gateway-cache-ttl': '300' };
    const one = fresh('purge one');
    const two = fresh('purge two');
    await ask(key.key, 'm-openai-chat', one, on);
    await ask(key.key, 'm-openai-chat', two, on);
    await ask(other.key, 'm-openai-chat', one, on);
    expect((await gw.admin<{ purgeCache: number }>(PURGE, { k: key.id })).purgeCache).toBe(2);
    expect(await ask(key.key, 'm-openai-chat', one, on)).toEqual({ cache: 'miss', upstream: 1 });
    expect(await ask(other.key, 'm-openai-chat', one, on)).toEqual({ cache: 'hit', upstream: 0 });
    expect((await gw.admin<{ purgeCache: number }>(PURGE, { m: 'm-openai-chat' })).purgeCache).toBeGreaterThanOrEqual(2);
    expect(await ask(other.key, 'm-openai-chat', one, on)).toEqual({ cache: 'miss', upstream: 1 });
  });

  test('needs exactly one of keyId and model, and the admin role', async () => {
    const both = await gw.gql(PURGE, { k: 'x', m: 'y' }, await gw.adminToken());
    expect(both.errors?.[0]?.message).toMatch(/either keyId or model/);
    const anonymous = await gw.gql(PURGE, { m: 'm-openai-chat' }, null);
    expect(anonymous.errors?.length).toBeGreaterThan(0);
  });
});
