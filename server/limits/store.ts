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
 * - Budget: USD spend per period (`total`, `d:YYYY-MM-DD`, `w:YYYY-MM-DD`, `m:YYYY-MM`,
 *   UTC); admitted while spend < budget; cost is added on release to all four.
 *
 * `admit` checks every limit of every subject (key, team, per model, per end
 * user) and, only if all pass, takes them all at once: a request rejected by one
 * limit consumes none of the others.
 */

export type LimitName = 'rpm' | 'tpm' | 'concurrency' | 'budget';
export type BackendName = 'memory' | 'redis';

/**
 * One set of counters an admission is checked against: the key itself, its team,
 * the key or team on one model, or one end user of the key or team (subjects.ts
 * names them). Every subject of a plan is checked and taken in the same step.
 */
export interface SubjectPlan {
  /** Counter id: the key id, or a name made by subjects.ts (`team:…`, `…:model:…`, `…:user:…`). */
  id: string;
  rpmLimit?: number;
  tpmLimit?: number;
  maxConcurrency?: number;
  budget?: { limitUsd: number; period: string };
}

export interface AdmitPlan {
  /** The key first, then its team and scoped subjects. */
  subjects: SubjectPlan[];
  now: number;
  /** Minute window id (see periods.ts). */
  window: number;
  /** Reserved against every TPM limit of the plan until release. */
  estimatedTokens: number;
  /** Unique per admission; names the concurrency lease. */
  leaseId: string;
}

/** Counter values of one subject after the admission (or as found, when rejected). */
export interface SubjectCounters {
  rpmUsed: number;
  tpmUsed: number;
  inFlight: number;
  /** Spend in the budget's period (0 without a budget). */
  spentUsd: number;
}

export interface AdmitResult {
  /** The limit that refused the request; undefined when admitted. */
  rejected?: LimitName;
  /** Index in `plan.subjects` of the subject whose limit refused it. */
  rejectedBy?: number;
  /** One entry per subject of the plan, in order. */
  counters: SubjectCounters[];
  /** Which backend admitted it; release goes to the same one. */
  backend: BackendName;
}

/** What one subject gives back on release. */
export interface SubjectRelease {
  id: string;
  /** Set when the admission took a concurrency slot. */
  leaseId?: string;
  /** Set when the admission reserved TPM. */
  tpm?: { window: number; reserved: number; actual: number };
  /** The request's cost is added to this subject's spend (total, UTC day, week and month). */
  spend: boolean;
}

export interface ReleasePlan {
  now: number;
  backend: BackendName;
  subjects: SubjectRelease[];
  /** Cost to add to the spend of every subject with `spend`. */
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
  /** The subject id (a key id, or `team:<id>`). */
  keyId: string;
  period: string;
  usd: number;
}

export interface CounterStore {
  /** Synchronous where the counters are in this process (no promise per request). */
  admit(plan: AdmitPlan): Promise<AdmitResult> | AdmitResult;
  release(plan: ReleasePlan): Promise<void> | void;
  /** Current counters of one subject (for the admin API); `periods` are spend period keys. */
  read(keyId: string, now: number, periods: string[]): Promise<KeyCounters>;
  /** Raises spend counters to at least the given values (never lowers them). */
  seedSpend(seeds: SpendSeed[]): Promise<void>;
  close(): Promise<void>;
}
