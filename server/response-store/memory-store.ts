import { BoundedLru, type LruSlot } from '../cache/bounded-lru.js';
import type { ResponseStoreBackend, ResponseStoreLimits, StoredResponse } from './types.js';

/**
 * The default store: an LRU map bounded by entry count and total serialized bytes,
 * entries expiring after the TTL (BoundedLru). Entries are kept serialized so a
 * caller cannot change what is stored, and the size bound counts what memory really holds.
 */
export class MemoryResponseStore extends BoundedLru<LruSlot> implements ResponseStoreBackend {
  constructor(
    private readonly limits: ResponseStoreLimits,
    now: () => number = Date.now,
  ) {
    super(limits, now);
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const slot = this.read(id);
    return slot ? (JSON.parse(slot.json) as StoredResponse) : undefined;
  }

  async put(entry: StoredResponse, json: string): Promise<void> {
    this.write(entry.id, { json, size: Buffer.byteLength(json) }, this.limits.ttlMs);
  }
}
