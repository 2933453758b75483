/**
 * The counters behind the key limits, one interface with two backends:
 * memory (one instance) and Redis (shared by every instance, atomic via Lua).
 *
 * Semantics every backend implements the same way:
 * - RPM: requests admitted in the current fixed, UTC-aligned 60 s window.
 *   A fixed window is exact ("10 a minute" means at most 10 per calendar minute,
 *   and a rejected request does not count) and costs one counter per key; the
 *   trade-off is a possible burst of up to 2× the limit across a minute boundary.
 * - TPM: tokens of the current window. Admission reserves the request's
 *   estimated input tokens; release replaces the reservation with the real
 *   usage (input + output). A key is admitted while used + reserved < limit, so
 *   the request that crosses the limit still completes and the next one stops.
 * - Concurrency: leases held from admit to release (Redis: each lease expires
 *   unless renewed, so a crashed instance cannot hold slots forever).
 * - Budget: USD spend per period (`total`, `d:YYYY-MM-DD`, `m:YYYY-MM`, UTC);
 *   admitted while spend < budget; cost is added on release to all three.
 *
 * `admit` checks every limit and, only if all pass, takes them all at once:
 * a request rejected by one limit consumes none of the others.
 */

export type LimitName = 'rpm' | 'tpm' | 'concurrency' | 'budget';
export type BackendName = 'memory' | 'redis';

export interface AdmitPlan {
  keyId: string;
  now: number;
  /** Minute window id (see periods.ts). */
  window: number;
  rpmLimit?: number;
  tpmLimit?: number;
  maxConcurrency?: number;
  budget?: { limitUsd: number; period: string };
  /** Reserved against TPM until release. */
  estimatedTokens: number;
  /** Unique per admission; names the concurrency lease. */
  leaseId: string;
}

export interface AdmitResult {
  /** The limit that refused the request; undefined when admitted. */
  rejected?: LimitName;
  /** Counter values after the admission (or as found, when rejected). */
  rpmUsed: number;
  tpmUsed: number;
  inFlight: number;
  /** Spend in the budget's period (0 without a budget). */
  spentUsd: number;
  /** Which backend admitted it; release goes to the same one. */
  backend: BackendName;
}

export interface ReleasePlan {
  keyId: string;
  now: number;
  backend: BackendName;
  /** Set when the admission took a concurrency slot. */
  leaseId?: string;
  /** Set when the admission reserved TPM. */
  tpm?: { window: number; reserved: number; actual: number };
  /** Cost to add to the total, the UTC day and the UTC month of `now`. */
  costUsd: number;
}

export interface KeyCounters {
  rpmUsed: number;
  tpmUsed: number;
  inFlight: number;
  /** Spend by period key, for the periods asked. */
  spend: Record<string, number>;
}

/** Spend known from the database at start (or from the memory mirror after a Redis outage). */
export interface SpendSeed {
  keyId: string;
  period: string;
  usd: number;
}

export interface CounterStore {
  admit(plan: AdmitPlan): Promise<AdmitResult>;
  release(plan: ReleasePlan): Promise<void>;
  /** Current counters of one key (for the admin API); `periods` are spend period keys. */
  read(keyId: string, now: number, periods: string[]): Promise<KeyCounters>;
  /** Raises spend counters to at least the given values (never lowers them). */
  seedSpend(seeds: SpendSeed[]): Promise<void>;
  close(): Promise<void>;
}
