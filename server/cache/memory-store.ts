import type { CacheBackend, CachePurge } from './types.js';

interface Slot {
  json: string;
  size: number;
  expiresAt: number;
  keyId: string;
  model: string;
}

/**
 * The default backend: an LRU map (a Map's insertion order, refreshed on
 * read) bounded by the total serialized bytes it holds; expired entries go
 * when read or when eviction passes them.
 */
export class MemoryCacheStore implements CacheBackend {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  get totalBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.slots.size;
  }

  async get(key: string): Promise<string | undefined> {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.now()) {
      this.remove(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.json;
  }

  async set(key: string, json: string, ttlMs: number, meta: { keyId: string; model: string }): Promise<void> {
    // JS strings are UTF-16: two bytes a code unit is what memory holds.
    const size = json.length * 2;
    if (size > this.maxBytes) return;
    const previous = this.slots.get(key);
    if (previous) this.remove(key, previous);
    this.slots.set(key, { json, size, expiresAt: this.now() + ttlMs, ...meta });
    this.bytes += size;
    const now = this.now();
    for (const [k, slot] of this.slots) {
      if (this.bytes <= this.maxBytes && slot.expiresAt > now) break;
      this.remove(k, slot);
    }
  }

  async purge(which: CachePurge): Promise<number> {
    let removed = 0;
    for (const [key, slot] of this.slots) {
      if (which.kind === 'key' ? slot.keyId === which.keyId : slot.model === which.model) {
        this.remove(key, slot);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.size;
  }
}
