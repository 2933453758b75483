import type { ResponseStoreBackend, ResponseStoreLimits, StoredResponse } from './types.js';

interface Slot {
  json: string;
  size: number;
  expiresAt: number;
}

/**
 * The default store: an LRU map (a Map's insertion order, refreshed on read)
 * bounded by entry count and total serialized bytes, entries expiring after
 * the TTL. Entries are kept serialized so a caller cannot change what is
 * stored, and the size bound counts what memory really holds.
 */
export class MemoryResponseStore implements ResponseStoreBackend {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(
    private readonly limits: ResponseStoreLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const slot = this.slots.get(id);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.now()) {
      this.remove(id, slot);
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.slots.delete(id);
    this.slots.set(id, slot);
    return JSON.parse(slot.json) as StoredResponse;
  }

  async put(entry: StoredResponse, json: string): Promise<void> {
    const size = Buffer.byteLength(json);
    if (size > this.limits.maxBytes) return;
    const previous = this.slots.get(entry.id);
    if (previous) this.remove(entry.id, previous);
    this.slots.set(entry.id, { json, size, expiresAt: this.now() + this.limits.ttlMs });
    this.bytes += size;
    this.evict();
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private evict(): void {
    const now = this.now();
    for (const [id, slot] of this.slots) {
      const over = this.slots.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes;
      if (!over && slot.expiresAt > now) break;
      this.remove(id, slot);
    }
  }

  private remove(id: string, slot: Slot): void {
    this.slots.delete(id);
    this.bytes -= slot.size;
  }
}
