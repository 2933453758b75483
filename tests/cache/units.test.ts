/** The cache's small pure parts: canonical JSON, the entry key, the policy, the memory LRU and the vector index. */
import { describe, expect, test } from 'vitest';
import { cacheKeyOf } from '../../server/cache/cache-key.js';
import { canonicalJson } from '../../server/cache/canonical-json.js';
import { MemoryCacheStore } from '../../server/cache/memory-store.js';
import { cachePolicy } from '../../server/cache/policy.js';
import { SemanticIndex } from '../../server/cache/semantic-index.js';
import { semanticText } from '../../server/cache/semantic.js';
import type { CanonicalRequest } from '../../server/core/request.js';
import type { KeyEntry } from '../../server/snapshot/types.js';

const request = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  ...over,
});

describe('canonicalJson', () => {
  test('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"x":null,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('cacheKeyOf', () => {
  test('ignores delivery and caller fields, not what changes the answer', () => {
    const base = cacheKeyOf(request(), {}, 'key:1');
    expect(cacheKeyOf(request({ stream: true, includeUsage: true, user: 'u', metadata: { a: 1 }, promptCacheKey: 'p' }), {}, 'key:1')).toBe(base);
    expect(cacheKeyOf(request({ temperature: 0 }), {}, 'key:1')).not.toBe(base);
    expect(cacheKeyOf(request({ reasoning: { effort: 'high' } }), {}, 'key:1')).not.toBe(base);
    expect(cacheKeyOf(request({ responseFormat: { type: 'json_object' } }), {}, 'key:1')).not.toBe(base);
    expect(cacheKeyOf(request({ model: 'other' }), {}, 'key:1')).not.toBe(base);
    expect(cacheKeyOf(request(), {}, 'key:2')).not.toBe(base);
    expect(cacheKeyOf(request(), {}, 'shared')).not.toBe(base);
  });

  test('client fields without a canonical home go in with their values', () => {
    const a = cacheKeyOf(request({ unmapped: ['context_management'] }), { context_management: { edits: [1] } }, 's');
    const b = cacheKeyOf(request({ unmapped: ['context_management'] }), { context_management: { edits: [2] } }, 's');
    expect(a).not.toBe(b);
  });
});

describe('cachePolicy', () => {
  const key = (cache?: KeyEntry['cache']): KeyEntry => ({
    id: 'k1',
    name: 'k',
    prefix: 'p',
    allowedModels: null,
    enabled: true,
    revoked: false,
    logBodies: false,
    purpose: 'app',
    cache,
  });
  const model = { enabled: true, shared: false, clientControl: true };

  test('off unless the key, the model or a TTL header turns it on', () => {
    expect(cachePolicy({}, key(), undefined, 60)).toBeUndefined();
    expect(cachePolicy({ 'x-gateway-cache-ttl': '30' }, key(), undefined, 60)).toMatchObject({ scope: 'key:k1', ttlSeconds: 30, read: true, write: true });
    expect(cachePolicy({}, key(), { ...model, ttlSeconds: 90 }, 60)).toMatchObject({ ttlSeconds: 90 });
    expect(cachePolicy({}, key({ enabled: true, shared: false, clientControl: true }), undefined, 60)).toMatchObject({ ttlSeconds: 60 });
  });

  test('headers: TTL over settings, directives, and nothing of it when client control is off', () => {
    expect(cachePolicy({ 'x-gateway-cache-ttl': '5' }, key(), { ...model, ttlSeconds: 90 }, 60)?.ttlSeconds).toBe(5);
    expect(cachePolicy({ 'x-gateway-cache': 'No-Cache' }, key(), model, 60)).toMatchObject({ read: false, write: true });
    expect(cachePolicy({ 'x-gateway-cache': 'no-store' }, key(), model, 60)).toMatchObject({ read: false, write: false });
    expect(cachePolicy({ 'x-gateway-cache': 'no-store', 'x-gateway-cache-ttl': '5' }, key(), { ...model, clientControl: false }, 60)).toMatchObject({
      read: true,
      write: true,
      ttlSeconds: 60,
    });
    expect(cachePolicy({ 'x-gateway-cache-ttl': '5' }, key({ enabled: false, shared: false, clientControl: false }), undefined, 60)).toBeUndefined();
    expect(cachePolicy({ 'x-gateway-cache-ttl': '0' }, key(), undefined, 60)).toBeUndefined();
    expect(cachePolicy({ 'x-gateway-cache-ttl': '-1' }, key(), undefined, 60)).toBeUndefined();
  });

  test('shared when the model or the key says so', () => {
    expect(cachePolicy({}, key(), { ...model, shared: true }, 60)?.scope).toBe('shared');
    expect(cachePolicy({}, key({ enabled: true, shared: true, clientControl: true }), undefined, 60)?.scope).toBe('shared');
  });
});

describe('MemoryCacheStore', () => {
  const meta = { keyId: 'k', model: 'm' };

  test('evicts the least recently used entries beyond its byte cap', async () => {
    const store = new MemoryCacheStore(3 * 2 * 10);
    await store.set('a', 'x'.repeat(10), 1000, meta);
    await store.set('b', 'x'.repeat(10), 1000, meta);
    await store.set('c', 'x'.repeat(10), 1000, meta);
    await store.get('a');
    await store.set('d', 'x'.repeat(10), 1000, meta);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(store.totalBytes).toBe(60);
    // An entry bigger than the cap is not kept at all.
    await store.set('huge', 'x'.repeat(100), 1000, meta);
    expect(await store.get('huge')).toBeUndefined();
  });

  test('expires entries and purges by key or model', async () => {
    let now = 0;
    const store = new MemoryCacheStore(1_000_000, () => now);
    await store.set('a', '1', 100, { keyId: 'k1', model: 'm1' });
    await store.set('b', '2', 1000, { keyId: 'k2', model: 'm1' });
    await store.set('c', '3', 1000, { keyId: 'k2', model: 'm2' });
    now = 150;
    expect(await store.get('a')).toBeUndefined();
    expect(await store.purge({ kind: 'model', model: 'm1' })).toBe(1);
    expect(await store.purge({ kind: 'key', keyId: 'k2' })).toBe(1);
    expect(store.size).toBe(0);
  });
});

describe('SemanticIndex', () => {
  test('finds the most similar entry at or above the threshold, and stays within its bound', () => {
    const index = new SemanticIndex(2);
    index.add('x', [1, 0, 0]);
    index.add('xy', [1, 1, 0]);
    expect(index.nearest([2, 0.1, 0], 0.9)).toMatchObject({ key: 'x' });
    expect(index.nearest([0, 0, 1], 0.5)).toBeUndefined();
    index.add('z', [0, 0, 1]);
    expect(index.size).toBe(2);
    expect(index.nearest([1, 0, 0], 0.99)).toBeUndefined();
    expect(index.nearest([0, 0, 3], 0.99)?.similarity).toBeCloseTo(1, 5);
    // Vectors of another dimension and zero vectors are never matched.
    expect(index.nearest([1, 0], 0)).toBeUndefined();
    expect(index.nearest([0, 0, 0], 0)).toBeUndefined();
  });
});

describe('semanticText', () => {
  test('system prompts and the last user turn; nothing for tools or images', () => {
    const r = request({
      instructions: 'be brief',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'old' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
        { role: 'user', content: [{ type: 'text', text: 'new' }] },
      ],
    });
    expect(semanticText(r)).toBe('be brief\nsys\n\nnew');
    expect(semanticText({ ...r, tools: [{ type: 'function', name: 't', parameters: {} } as never] })).toBeUndefined();
    expect(semanticText(request({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'x' } } as never] }] }))).toBeUndefined();
  });
});
