import type { Redis } from 'ioredis';
import type { CacheBackend, CachePurge } from './types.js';

/**
 * Entries shared by every instance: one string per entry with its TTL, and
 * two index sets (per writing key, per model) that a purge reads. An index
 * outlives its entries by at most the longest TTL written into it; members
 * whose entry expired are harmless (deleting them is a no-op).
 */
export class RedisCacheStore implements CacheBackend {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly close_: () => Promise<void>,
  ) {}

  private entry = (key: string) => `${this.prefix}cache:e:${key}`;
  private byKey = (keyId: string) => `${this.prefix}cache:k:${keyId}`;
  private byModel = (model: string) => `${this.prefix}cache:m:${model}`;

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.entry(key))) ?? undefined;
  }

  async set(key: string, json: string, ttlMs: number, meta: { keyId: string; model: string }): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const k = this.byKey(meta.keyId);
    const m = this.byModel(meta.model);
    await this.client
      .multi()
      .set(this.entry(key), json, 'PX', ttl)
      .sadd(k, key)
      .sadd(m, key)
      // GT: an index never expires before the longest-lived entry in it.
      .pexpire(k, ttl, 'GT')
      .pexpire(k, ttl, 'NX')
      .pexpire(m, ttl, 'GT')
      .pexpire(m, ttl, 'NX')
      .exec();
  }

  async purge(which: CachePurge): Promise<number> {
    const index = which.kind === 'key' ? this.byKey(which.keyId) : this.byModel(which.model);
    const keys = await this.client.smembers(index);
    let removed = 0;
    for (let i = 0; i < keys.length; i += 500) {
      removed += await this.client.del(...keys.slice(i, i + 500).map(this.entry));
    }
    await this.client.del(index);
    return removed;
  }

  close(): Promise<void> {
    return this.close_();
  }
}
