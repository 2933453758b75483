import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renews only while we still hold it. KEYS: lock; ARGV: token, ttlMs
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// Deletes only our own lock. KEYS: lock; ARGV: token
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The health scheduler's lock across instances (same shape as the health
 * module's SchedulerLock): SET NX PX takes it, a compare-and-extend script
 * renews it, a compare-and-delete script releases it, so an instance never
 * extends or frees a lock another instance took after ours expired. When Redis
 * cannot answer, tryAcquire says false: no instance schedules rather than
 * every instance scheduling; the holder that lost Redis stops within one TTL.
 */
export class RedisSchedulerLock {
  private readonly token = randomUUID();

  constructor(
    private readonly client: Redis,
    readonly key: string,
  ) {}

  async tryAcquire(ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.round(ttlMs));
    try {
      if ((await this.client.eval(EXTEND, 1, this.key, this.token, ttl)) === 1) return true;
      return (await this.client.set(this.key, this.token, 'PX', ttl, 'NX')) === 'OK';
    } catch {
      return false;
    }
  }

  async release(): Promise<void> {
    await this.client.eval(RELEASE, 1, this.key, this.token).catch(() => {});
  }
}
