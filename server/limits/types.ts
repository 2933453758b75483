import type { KeyEntry } from '../snapshot/types.js';
import type { Usage } from '../proxy/canonical/usage.js';

/** A request let in by the key's limits; released exactly once when it ends. */
export interface Admission {
  /** Response headers to send (x-ratelimit-*), set before the first byte. */
  headers: Record<string, string>;
  release(outcome: { usage?: Usage; costUsd: number }): void;
}

/**
 * Per-key RPM / TPM / concurrency / budget. `admit` throws a GatewayError
 * (429, or 402 for budget on some formats) with retryAfter when a limit is hit.
 */
export interface KeyLimiter {
  admit(key: KeyEntry, estimatedInputTokens: number): Promise<Admission>;
  close(): Promise<void>;
}

/** No limits: for keys without any and as the starting point. */
export const UNLIMITED: Admission = { headers: {}, release: () => {} };
