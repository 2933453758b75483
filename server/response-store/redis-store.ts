import type { Redis } from 'ioredis';
import type { ResponseStoreBackend, ResponseStoreLimits, StoredResponse } from './types.js';

/**
 * Stores the entry with its TTL and keeps an index (sorted by store time) so
 * the number of entries stays bounded: expired index members are dropped and,
 * beyond the limit, the oldest entries are deleted with their keys. One
 * script, so instances storing at once cannot overshoot.
 * KEYS[1] entry key, KEYS[2] index; ARGV: id, json, ttl ms, now ms, max entries, entry key prefix.
 */
const PUT_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[3]))
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if extra > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  for _, id in ipairs(oldest) do redis.call('DEL', ARGV[6] .. id) end
  redis.call('ZREM', KEYS[2], unpack(oldest))
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`;

/** Stored responses shared by every instance (REDIS_URL); `prefix` is the deployment's key prefix. */
export class RedisResponseStore implements ResponseStoreBackend {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly limits: ResponseStoreLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private key(id: string): string {
    return `${this.prefix}responses:${id}`;
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    const json = await this.client.get(this.key(id));
    return json === null ? undefined : (JSON.parse(json) as StoredResponse);
  }

  async put(entry: StoredResponse, json: string): Promise<void> {
    if (Buffer.byteLength(json) > this.limits.maxBytes) return;
    await this.client.eval(
      PUT_SCRIPT,
      2,
      this.key(entry.id),
      `${this.prefix}responses-index`,
      entry.id,
      json,
      String(this.limits.ttlMs),
      String(this.now()),
      String(this.limits.maxEntries),
      `${this.prefix}responses:`,
    );
  }

  async close(): Promise<void> {}
}
