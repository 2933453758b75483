import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How many times a key was counted, and when last (epoch ms). */
export interface Stamp {
  count: number;
  at: number;
}

/**
 * Where login attempts are counted: this instance's memory, or Redis so that
 * every instance behind a load balancer counts the same failures (otherwise
 * N instances would give an attacker N times the attempts).
 */
export interface AttemptStore {
  read(keys: readonly string[], now: number): Promise<Array<Stamp | null>>;
  /** Adds one to each key (a forgotten key starts at one) and stamps it `now`; each is forgotten `ttlMs` after its last bump. */
  bump(keys: readonly string[], now: number, ttlMs: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const MAX_ENTRIES = 50_000;

/** Counters in memory, bounded: when full, the least recently bumped go first. */
export class MemoryAttemptStore implements AttemptStore {
  private readonly entries = new Map<string, Stamp & { expiresAt: number }>();

  async read(keys: readonly string[], now: number): Promise<Array<Stamp | null>> {
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        return null;
      }
      return { count: entry.count, at: entry.at };
    });
  }

  async bump(keys: readonly string[], now: number, ttlMs: number): Promise<void> {
    for (const key of keys) {
      const entry = this.entries.get(key);
      const count = entry && entry.expiresAt > now ? entry.count + 1 : 1;
      // Re-inserting keeps the Map in last-bump order, so the oldest go first when it is full.
      this.entries.delete(key);
      this.entries.set(key, { count, at: now, expiresAt: now + ttlMs });
    }
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async close(): Promise<void> {}
}

/**
 * Counters in Redis hashes (`c` count, `at` last stamp) with a TTL. Key names
 * are hashed, so no email or address is stored in Redis in the clear.
 */
export class RedisAttemptStore implements AttemptStore {
  constructor(
    readonly client: Redis,
    private readonly prefix: string,
  ) {}

  private name(key: string): string {
    return `${this.prefix}login:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  }

  async read(keys: readonly string[]): Promise<Array<Stamp | null>> {
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.hmget(this.name(key), 'c', 'at');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      const [count, at] = value as [string | null, string | null];
      return count === null || at === null ? null : { count: Number(count), at: Number(at) };
    });
  }

  async bump(keys: readonly string[], now: number, ttlMs: number): Promise<void> {
    const multi = this.client.multi();
    for (const key of keys) {
      const name = this.name(key);
      multi.hincrby(name, 'c', 1).hset(name, 'at', now).pexpire(name, ttlMs);
    }
    const results = (await multi.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.client.del(...keys.map((key) => this.name(key)));
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    if (this.client.status !== 'ready') return void this.client.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Redis first, this instance's memory while Redis cannot answer (a login is
 * never refused or delayed because Redis is away; each instance then counts
 * alone). Writes go to both, so memory is ready to take over.
 */
export class FailoverAttemptStore implements AttemptStore {
  private warned = false;

  constructor(
    private readonly redis: RedisAttemptStore,
    private readonly memory: MemoryAttemptStore,
    private readonly logger: Logger,
  ) {
    redis.client.on('ready', () => (this.warned = false));
  }

  private async either<T>(viaRedis: () => Promise<T>, viaMemory: () => Promise<T>): Promise<T> {
    if (this.redis.client.status !== 'ready') return viaMemory();
    try {
      return await viaRedis();
    } catch (error) {
      if (!this.warned) this.logger.warn({ err: error }, 'login throttling: Redis unavailable, counting on this instance alone');
      this.warned = true;
      return viaMemory();
    }
  }

  read(keys: readonly string[], now: number): Promise<Array<Stamp | null>> {
    return this.either(
      () => this.redis.read(keys),
      () => this.memory.read(keys, now),
    );
  }

  async bump(keys: readonly string[], now: number, ttlMs: number): Promise<void> {
    await this.memory.bump(keys, now, ttlMs);
    await this.either(
      () => this.redis.bump(keys, now, ttlMs),
      async () => {},
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.memory.delete(keys);
    await this.either(
      () => this.redis.delete(keys),
      async () => {},
    );
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
