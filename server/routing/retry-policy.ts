import type { GatewayError } from '../core/error.js';

/**
 * Failures worth another target: connection errors, timeouts, 429 and 5xx
 * (including upstream credential failures, which are the provider's fault).
 * Never the request's own 4xx mistakes.
 */
export function isRetryable(error: GatewayError): boolean {
  if (error.status === 429) return true;
  if (error.status >= 500) return error.kind !== 'internal';
  return false;
}

/** Full-jitter exponential backoff, but at least the upstream's retry-after when it gave one (capped). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, retryAfterSeconds: number | undefined, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** attempt);
  const jittered = Math.floor(random() * exp);
  return retryAfterSeconds !== undefined ? Math.min(maxMs, Math.max(jittered, retryAfterSeconds * 1000)) : jittered;
}
