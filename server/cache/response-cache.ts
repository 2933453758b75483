import type { Logger } from 'pino';
import type { CacheBackend, CacheEntry, CachePurge } from './types.js';

/**
 * The cache the plugin talks to. A failing backend (Redis down) means no
 * caching — a lookup is a miss, a store is skipped — with one warning per
 * outage, never an error to the client.
 */
export class ResponseCache {
  private readonly pending = new Set<Promise<void>>();
  private failing = false;

  constructor(
    private readonly backend: CacheBackend,
    private readonly logger: Logger,
    readonly limits: { defaultTtlSeconds: number; maxEntryBytes: number },
  ) {}

  async lookup(key: string): Promise<CacheEntry | undefined> {
    const json = await this.attempt(() => this.backend.get(key));
    return json === undefined ? undefined : (JSON.parse(json) as CacheEntry);
  }

  /** Stores without making the caller wait; returns the bytes stored (0 when the entry is too large). */
  store(key: string, entry: CacheEntry, ttlSeconds: number): number {
    const json = JSON.stringify(entry);
    const bytes = Buffer.byteLength(json);
    if (bytes > this.limits.maxEntryBytes) return 0;
    this.inBackground(() => this.backend.set(key, json, ttlSeconds * 1000, { keyId: entry.keyId, model: entry.model }));
    return bytes;
  }

  /** Runs one shared-store operation under the outage rule: undefined (and one warning) while it fails. */
  async attempt<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await operation();
      this.recovered();
      return result;
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  /** A write nobody waits for, under the outage rule; `settled()` waits for it. */
  inBackground(operation: () => Promise<unknown>): void {
    const done = this.attempt(operation)
      .then(() => undefined)
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Removes a key's or a model's entries (admin purge); throws when the backend is down. */
  async purge(which: CachePurge): Promise<number> {
    await this.settled();
    return this.backend.purge(which);
  }

  /** Waits for stores in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settled();
    await this.backend.close();
  }

  private failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn({ err: error }, 'response cache unavailable: requests are served without caching until it returns');
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info('response cache is back');
  }
}
