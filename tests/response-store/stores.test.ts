/**
 * The stores behind previous_response_id: the memory LRU (entry and byte bounds, TTL,
 * LRU order) with a manual clock, and the Redis store (TTL, entry bound shared by
 * every instance, fallback to memory when Redis fails) on a real Redis.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryResponseStore } from '../../server/response-store/memory-store.js';
import { RedisResponseStore } from '../../server/response-store/redis-store.js';
import { ResponseStore } from '../../server/response-store/store.js';
import { createResponseStore } from '../../server/response-store/index.js';
import type { StoredResponse } from '../../server/response-store/types.js';
import { REDIS_URL, deletePrefix, uniquePrefix } from '../limits/support.js';
import { skipUnlessServices } from '../support/services.js';

const silent = pino({ level: 'silent' });
const entry = (id: string, text = 'x'): StoredResponse => ({ id, keyId: 'key-1', items: [{ type: 'message', role: 'user', content: text }] });
const put = (store: MemoryResponseStore | RedisResponseStore, e: StoredResponse) => store.put(e, JSON.stringify(e));

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('memory store', () => {
  test('keeps entries until the TTL, then forgets them', async () => {
    const c = clock();
    const store = new MemoryResponseStore({ ttlMs: 1000, maxEntries: 10, maxBytes: 1 << 20 }, c.now);
    await put(store, entry('resp_a', 'hello'));
    c.advance(999);
    expect((await store.get('resp_a'))?.items).toEqual([{ type: 'message', role: 'user', content: 'hello' }]);
    c.advance(1);
    expect(await store.get('resp_a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test('beyond maxEntries the least recently used entry goes first', async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 2, maxBytes: 1 << 20 });
    await put(store, entry('resp_1'));
    await put(store, entry('resp_2'));
    await store.get('resp_1'); // now resp_2 is the least recently used
    await put(store, entry('resp_3'));
    expect(store.size).toBe(2);
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.get('resp_1')).toBeDefined();
    expect(await store.get('resp_3')).toBeDefined();
  });

  test('total bytes stay under maxBytes; an entry larger than the bound is not kept', async () => {
    const one = JSON.stringify(entry('resp_0', 'a'.repeat(100))).length;
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 100, maxBytes: one * 3 });
    for (let i = 0; i < 10; i++) await put(store, entry(`resp_${i}`, 'a'.repeat(100)));
    expect(store.size).toBe(3);
    expect(store.totalBytes).toBeLessThanOrEqual(one * 3);
    expect(await store.get('resp_9')).toBeDefined();
    expect(await store.get('resp_6')).toBeUndefined();
    await put(store, entry('resp_big', 'b'.repeat(one * 3)));
    expect(await store.get('resp_big')).toBeUndefined();
    expect(store.size).toBe(3);
  });

  test('a stored entry cannot be changed through the object it was stored from or read as', async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 10, maxBytes: 1 << 20 });
    const e = entry('resp_x', 'original');
    await put(store, e);
    (e.items[0] as { content: string }).content = 'changed';
    const read = await store.get('resp_x');
    (read!.items[0] as { content: string }).content = 'changed again';
    expect(((await store.get('resp_x'))!.items[0] as { content: string }).content).toBe('original');
  });

  test('a get waits for a put of the same id still in flight', async () => {
    let release!: () => void;
    const slow = new MemoryResponseStore({ ttlMs: 60_000, maxEntries: 10, maxBytes: 1 << 20 });
    const gated = {
      get: (id: string) => slow.get(id),
      put: async (e: StoredResponse, json: string) => {
        await new Promise<void>((r) => (release = r));
        await slow.put(e, json);
      },
      close: async () => {},
    };
    const store = new ResponseStore(gated, silent);
    store.put(entry('resp_late'));
    const read = store.get('resp_late');
    setTimeout(() => release(), 20);
    expect((await read)?.id).toBe('resp_late');
  });
});

const redisDown = await skipUnlessServices('Redis response store tests', { redis: true });

(redisDown ? describe.skip : describe)('Redis store', () => {
  const prefix = uniquePrefix();
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await deletePrefix(prefix);
    client.disconnect();
  });

  test('entries expire with the TTL', async () => {
    const store = new RedisResponseStore(client, `${prefix}ttl:`, { ttlMs: 150, maxEntries: 10, maxBytes: 1 << 20 });
    await put(store, entry('resp_t', 'kept'));
    expect((await store.get('resp_t'))?.items).toEqual([{ type: 'message', role: 'user', content: 'kept' }]);
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.get('resp_t')).toBeUndefined();
  });

  test('two instances together never keep more than maxEntries: the oldest go', async () => {
    const limits = { ttlMs: 60_000, maxEntries: 3, maxBytes: 1 << 20 };
    let t = 1_000;
    const now = () => t++;
    const a = new RedisResponseStore(client, `${prefix}bound:`, limits, now);
    const b = new RedisResponseStore(client, `${prefix}bound:`, limits, now);
    for (let i = 0; i < 6; i++) await put(i % 2 ? a : b, entry(`resp_${i}`));
    expect(await client.zcard(`${prefix}bound:responses-index`)).toBe(3);
    for (const id of ['resp_0', 'resp_1', 'resp_2']) expect(await a.get(id)).toBeUndefined();
    for (const id of ['resp_3', 'resp_4', 'resp_5']) expect((await b.get(id))?.id).toBe(id);
    expect(await client.keys(`${prefix}bound:responses:*`)).toHaveLength(3);
  });

  test('an entry over maxBytes is not stored', async () => {
    const store = new RedisResponseStore(client, `${prefix}big:`, { ttlMs: 60_000, maxEntries: 3, maxBytes: 50 });
    await put(store, entry('resp_big', 'z'.repeat(100)));
    expect(await store.get('resp_big')).toBeUndefined();
  });

  test("with Redis unreachable the store keeps working on this instance's memory", async () => {
    const store = createResponseStore({
      ttlMs: 60_000,
      maxEntries: 10,
      maxBytes: 1 << 20,
      redisUrl: 'redis://127.0.0.1:1',
      redisKeyPrefix: prefix,
      logger: silent,
    });
    store.put(entry('resp_offline', 'still here'));
    expect((await store.get('resp_offline'))?.items).toEqual([{ type: 'message', role: 'user', content: 'still here' }]);
    await store.close();
  });
});
