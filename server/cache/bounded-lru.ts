/** One entry of a BoundedLru: its serialized value and the bytes it counts for. */
export interface LruSlot {
  json: string;
  size: number;
}

/**
 * The in-memory stores' map: an LRU (a Map's insertion order, refreshed on read)
 * of serialized entries, bounded by their total size and, optionally, their count.
 * Entries expire after their TTL; expired ones go when read or when eviction passes them.
 */
export class BoundedLru<S extends LruSlot> {
  private readonly slots = new Map<string, S & { expiresAt: number }>();
  private bytes = 0;

  constructor(
    private readonly bounds: { maxBytes: number; maxEntries?: number },
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  /** The live entry under `key` (now the most recently used), or undefined. */
  protected read(key: string): S | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.now()) {
      this.remove(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot;
  }

  /** Keeps `slot` under `key` for `ttlMs`, evicting the least recently used over the bounds; one larger than maxBytes is not kept. */
  protected write(key: string, slot: S, ttlMs: number): void {
    if (slot.size > this.bounds.maxBytes) return;
    const previous = this.slots.get(key);
    if (previous) this.remove(key, previous);
    this.slots.set(key, { ...slot, expiresAt: this.now() + ttlMs });
    this.bytes += slot.size;
    const now = this.now();
    const maxEntries = this.bounds.maxEntries ?? Infinity;
    for (const [k, s] of this.slots) {
      if (this.slots.size <= maxEntries && this.bytes <= this.bounds.maxBytes && s.expiresAt > now) break;
      this.remove(k, s);
    }
  }

  /** Removes the entries `match` selects; returns how many. */
  protected removeWhere(match: (slot: S) => boolean): number {
    let removed = 0;
    for (const [key, slot] of this.slots) {
      if (match(slot)) {
        this.remove(key, slot);
        removed++;
      }
    }
    return removed;
  }

  private remove(key: string, slot: S): void {
    this.slots.delete(key);
    this.bytes -= slot.size;
  }
}
