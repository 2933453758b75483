import { z } from 'zod';

const nonNegative = z.number().int().min(0, 'must not be negative');

/**
 * Per-route behaviour, the one definition: the admin API and the configuration
 * file validate against it, the snapshot reads stored options through it.
 * Defaults (documented in docs/ARCHITECTURE.md): 2 retries, 250 ms base
 * backoff with full jitter (capped at 5 s), no per-attempt timeout beyond the
 * provider's own, 120 s total deadline; circuit breaker opens after 3 failures
 * within 60 s and cools down for 30 s.
 */
export const routeOptionsSchema = z.object({
  retries: nonNegative.max(10),
  backoffMs: nonNegative.max(60_000),
  maxBackoffMs: nonNegative.max(300_000),
  /** 0 = use the provider's timeouts only. */
  attemptTimeoutMs: nonNegative.max(3_600_000),
  deadlineMs: z.number().int().min(1, 'must be positive').max(3_600_000),
  failureThreshold: z.number().int().min(1, 'must be at least 1').max(1000),
  failureWindowMs: z.number().int().min(1000, 'must be at least 1000').max(86_400_000),
  cooldownMs: nonNegative.max(86_400_000),
});

export type RouteOptions = z.infer<typeof routeOptionsSchema>;

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
