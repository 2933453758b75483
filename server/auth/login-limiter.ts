import type { Logger } from 'pino';
import { createRedisConnection } from '../redis/connection.js';
import { FailoverAttemptStore, MemoryAttemptStore, RedisAttemptStore, type AttemptStore } from './attempt-store.js';

/**
 * Login throttling with exponential backoff, counted on three keys:
 *
 * - the pair (client IP, account): the attacker's own attempts on one account
 *   are slowed quickly (after 5 failures: 2 s, 4 s, 8 s, … up to 15 min);
 * - the client IP across accounts: password spraying from one address is
 *   slowed the same way after 15 failures;
 * - the account across every IP: a distributed guesser is slowed too, but
 *   only after 10 failures and never for more than 30 s, so nobody can lock
 *   the owner out: from a clean address the owner waits at most that long, and
 *   from an address that logged in to the account before (within 30 days) the
 *   account-wide wait does not apply at all.
 *
 * A blocked attempt is refused before the password is checked and does not
 * count again; a success clears the pair and the account. Counters are
 * forgotten an hour after the last failure. They live in an AttemptStore:
 * memory (bounded, so a flood of addresses cannot grow it without end), or
 * Redis with REDIS_URL so every instance counts the same failures.
 */

interface Policy {
  /** Failures allowed before any wait. */
  free: number;
  /** The first wait; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
}

export const LOGIN_POLICIES = {
  pair: { free: 5, baseMs: 2_000, maxMs: 15 * 60_000 },
  ip: { free: 15, baseMs: 2_000, maxMs: 15 * 60_000 },
  account: { free: 10, baseMs: 1_000, maxMs: 30_000 },
} satisfies Record<string, Policy>;

const FORGET_AFTER_MS = 60 * 60_000;
const KNOWN_FOR_MS = 30 * 24 * 60 * 60_000;

/** The wait imposed after `failures` failures, in ms (0 while within the free allowance). */
export function backoffMs(policy: Policy, failures: number): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free));
}

const keysOf = (ip: string, email: string) => {
  const account = email.toLowerCase();
  return { pair: `pair:${ip}|${account}`, ip: `ip:${ip}`, account: `account:${account}`, known: `known:${ip}|${account}` };
};

export class LoginLimiter {
  private readonly store: AttemptStore;
  private readonly now: () => number;

  constructor(options: { store?: AttemptStore; now?: () => number } = {}) {
    this.store = options.store ?? new MemoryAttemptStore();
    this.now = options.now ?? Date.now;
  }

  /** Seconds to wait before this IP may try this account, else 0. Checks without counting. */
  async blockedFor(ip: string, email: string): Promise<number> {
    const keys = keysOf(ip, email);
    const now = this.now();
    const [pair, byIp, account, known] = await this.store.read([keys.pair, keys.ip, keys.account, keys.known], now);
    const wait = (stamp: typeof pair, policy: Policy) => (stamp ? Math.max(0, backoffMs(policy, stamp.count) - (now - stamp.at)) : 0);
    const longest = Math.max(
      wait(pair, LOGIN_POLICIES.pair),
      wait(byIp, LOGIN_POLICIES.ip),
      // An address that logged in to this account before skips the account-wide wait.
      known ? 0 : wait(account, LOGIN_POLICIES.account),
    );
    return longest > 0 ? Math.ceil(longest / 1000) : 0;
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const keys = keysOf(ip, email);
    await this.store.bump([keys.pair, keys.ip, keys.account], this.now(), FORGET_AFTER_MS);
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    const keys = keysOf(ip, email);
    await this.store.delete([keys.pair, keys.account]);
    await this.store.bump([keys.known], this.now(), KNOWN_FOR_MS);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** The limiter of one instance: counters in memory, or shared through Redis when `redisUrl` is set. */
export function createLoginLimiter(options: { redisUrl?: string; redisKeyPrefix: string; logger: Logger }): LoginLimiter {
  if (!options.redisUrl) return new LoginLimiter();
  const client = createRedisConnection({ url: options.redisUrl, name: 'login-throttle', role: 'commands', logger: options.logger });
  const store = new FailoverAttemptStore(new RedisAttemptStore(client, options.redisKeyPrefix), new MemoryAttemptStore(), options.logger);
  return new LoginLimiter({ store });
}
