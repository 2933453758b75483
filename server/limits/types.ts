import type { KeyEntry } from '../snapshot/types.js';
import type { Usage } from '../core/usage.js';
import type { AdmitScope } from './subjects.js';

/** A request let in by the key's limits; released exactly once when it ends. */
export interface Admission {
  /** Response headers to send (x-ratelimit-*), set before the first byte. */
  headers: Record<string, string>;
  release(outcome: { usage?: Usage; costUsd: number }): void;
}

/** Live counters of one key, for the admin API. */
export interface KeyLimitState {
  /** Requests admitted in the current minute window. */
  rpmUsed: number;
  /** Tokens of the current minute window (real usage plus in-flight reservations). */
  tpmUsed: number;
  inFlight: number;
  /** Spend in the key's budget period (the total when it has none). */
  periodSpendUsd: number;
  totalSpendUsd: number;
}

/**
 * Per-key RPM / TPM / concurrency / budget. `admit` throws a GatewayError
 * (429, kind rate_limit or budget_exceeded) with retryAfter and the
 * x-ratelimit-* headers when a limit is hit. See server/limits/limiter.ts.
 */
export interface KeyLimiter {
  /** Checks the key, its team and the scope's per-model and per-end-user limits together, atomically. */
  admit(key: KeyEntry, estimatedInputTokens: number, scope?: AdmitScope): Promise<Admission>;
  /** Counters of one key; reads the limit store, never the database. */
  state(key: { id: string; budgetPeriod?: string | null }): Promise<KeyLimitState>;
  /** Counters of one team (RPM / TPM window and spend). */
  teamState(team: { id: string; budgetPeriod?: string | null }): Promise<KeyLimitState>;
  close(): Promise<void>;
}
