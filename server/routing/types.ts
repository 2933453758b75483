import type { CompiledRule } from '../prompts/types.js';
import type { ModelEntry } from '../snapshot/types.js';

export type Strategy = 'LOAD_BALANCE' | 'FAILOVER' | 'LEAST_LATENCY';

/**
 * Per-route behaviour. Defaults (documented in docs/ARCHITECTURE.md):
 * 2 retries, 250 ms base backoff with full jitter (capped at 5 s), no per-attempt
 * timeout beyond the provider's own, 120 s total deadline; circuit breaker opens
 * after 3 failures within 60 s and cools down for 30 s.
 */
export interface RouteOptions {
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** 0 = use the provider's timeouts only. */
  attemptTimeoutMs: number;
  deadlineMs: number;
  failureThreshold: number;
  failureWindowMs: number;
  cooldownMs: number;
}

export const DEFAULT_ROUTE_OPTIONS: RouteOptions = {
  retries: 2,
  backoffMs: 250,
  maxBackoffMs: 5_000,
  attemptTimeoutMs: 0,
  deadlineMs: 120_000,
  failureThreshold: 3,
  failureWindowMs: 60_000,
  cooldownMs: 30_000,
};

export interface RouteTarget {
  id: string;
  model: ModelEntry;
  weight: number;
  priority: number;
}

export interface VirtualModelEntry {
  id: string;
  name: string;
  strategy: Strategy;
  targets: RouteTarget[];
  options: RouteOptions;
  enabled: boolean;
  createdAt: number;
  /** Enabled prompt rules in order, compiled by the snapshot (see server/prompts). */
  promptRules: CompiledRule[];
}

/** Reads stored options over the defaults, ignoring anything malformed. */
export function routeOptions(stored: unknown): RouteOptions {
  const out = { ...DEFAULT_ROUTE_OPTIONS };
  if (stored && typeof stored === 'object') {
    for (const [name, value] of Object.entries(stored)) {
      if (name in out && typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        (out as Record<string, number>)[name] = value;
      }
    }
  }
  return out;
}
