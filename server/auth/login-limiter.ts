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
 * forgotten an hour after the last failure, and the table is bounded, so a
 * flood of addresses cannot grow memory without end.
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
const MAX_ENTRIES = 50_000;

interface Entry {
  failures: number;
  lastFailureAt: number;
}

/** The wait imposed after `failures` failures, in ms (0 while within the free allowance). */
export function backoffMs(policy: Policy, failures: number): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free));
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  /** (IP, account) pairs that logged in successfully, with when: they skip the account-wide wait. */
  private readonly known = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this IP may try this account, else 0. Checks without counting. */
  async blockedFor(ip: string, email: string): Promise<number> {
    const account = email.toLowerCase();
    const knownAt = this.known.get(`${ip}|${account}`);
    const known = knownAt !== undefined && this.now() - knownAt < KNOWN_FOR_MS;
    const waits = [
      this.waitMs(`pair:${ip}|${account}`, LOGIN_POLICIES.pair),
      this.waitMs(`ip:${ip}`, LOGIN_POLICIES.ip),
      known ? 0 : this.waitMs(`account:${account}`, LOGIN_POLICIES.account),
    ];
    const longest = Math.max(...waits);
    return longest > 0 ? Math.ceil(longest / 1000) : 0;
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const account = email.toLowerCase();
    for (const key of [`pair:${ip}|${account}`, `ip:${ip}`, `account:${account}`]) this.bump(key);
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    const account = email.toLowerCase();
    this.entries.delete(`pair:${ip}|${account}`);
    this.entries.delete(`account:${account}`);
    const pair = `${ip}|${account}`;
    this.known.delete(pair);
    this.known.set(pair, this.now());
    while (this.known.size > MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
  }

  private waitMs(key: string, policy: Policy): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const elapsed = this.now() - entry.lastFailureAt;
    if (elapsed >= FORGET_AFTER_MS) {
      this.entries.delete(key);
      return 0;
    }
    return Math.max(0, backoffMs(policy, entry.failures) - elapsed);
  }

  private bump(key: string): void {
    const now = this.now();
    const entry = this.entries.get(key);
    const fresh = entry && now - entry.lastFailureAt < FORGET_AFTER_MS;
    // Re-inserting keeps the Map in last-failure order, so the oldest go first when it is full.
    this.entries.delete(key);
    this.entries.set(key, { failures: fresh ? entry.failures + 1 : 1, lastFailureAt: now });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
