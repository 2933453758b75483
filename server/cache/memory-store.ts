import { BoundedLru, type LruSlot } from './bounded-lru.js';
import type { CacheBackend, CachePurge } from './types.js';

interface Slot extends LruSlot {
  keyId: string;
  model: string;
}

/** The default backend: an LRU map bounded by the total serialized bytes it holds (BoundedLru). */
export class MemoryCacheStore extends BoundedLru<Slot> implements CacheBackend {
  constructor(maxBytes: number, now: () => number = Date.now) {
    super({ maxBytes }, now);
  }

  async get(key: string): Promise<string | undefined> {
    return this.read(key)?.json;
  }

  async set(key: string, json: string, ttlMs: number, meta: { keyId: string; model: string }): Promise<void> {
    // JS strings are UTF-16: two bytes a code unit is what memory holds.
    this.write(key, { json, size: json.length * 2, ...meta }, ttlMs);
  }

  async purge(which: CachePurge): Promise<number> {
    return this.removeWhere((slot) => (which.kind === 'key' ? slot.keyId === which.keyId : slot.model === which.model));
  }
}
