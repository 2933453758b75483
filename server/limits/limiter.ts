import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { GatewayError } from '../core/error.js';
import type { KeyEntry } from '../snapshot/types.js';
import {
  budgetPeriodEnd,
  budgetPeriodKey,
  budgetPeriodOf,
  formatResetDuration,
  minuteWindow,
  retryAfterSeconds,
  TOTAL_PERIOD,
  type BudgetPeriod,
} from './periods.js';
import type { SpendPersister } from './spend-persister.js';
import type { AdmitResult, BackendName, CounterStore, ReleasePlan } from './store.js';
import type { Admission, KeyLimiter, KeyLimitState } from './types.js';

/**
 * Budget status: one status for every client format, 429.
 *
 * OpenAI answers an exhausted quota with 429 `insufficient_quota`; Anthropic
 * documents 402 `billing_error`. The limiter runs before the response format
 * matters and the status travels with the error, so the gateway picks one: 429,
 * the convention most OpenAI-compatible tooling already handles. The body still
 * says what happened in the caller's terms (OpenAI `insufficient_quota`,
 * Anthropic `billing_error`), and `x-should-retry: false` tells the official
 * OpenAI and Anthropic SDKs not to retry it as if it were a passing rate limit.
 * `retry-after` is sent for daily and monthly budgets (time to the next UTC
 * period), not for a total budget, which never resets.
 */
export const BUDGET_EXCEEDED_STATUS = 429;

export interface KeyLimitsDeps {
  store: CounterStore;
  logger: Logger;
  now: () => number;
  /** Backend a release goes to when the admission took nothing (keys without limits). */
  defaultBackend: BackendName;
  persister?: SpendPersister;
  /** Resolves once spend is loaded and Redis had its chance to connect; admit waits for it once. */
  ready?: Promise<void>;
  /** Runs after everything else on close (e.g. closing the Redis connection). */
  onClose?: () => Promise<void>;
}

const NO_HEADERS: Record<string, string> = Object.freeze({});

export class KeyLimits implements KeyLimiter {
  private ready: Promise<void> | undefined;
  private readonly releases = new Set<Promise<void>>();
  private readonly leasePrefix = randomBytes(6).toString('hex');
  private leaseCounter = 0;

  constructor(private readonly deps: KeyLimitsDeps) {
    this.ready = deps.ready?.then(() => {
      this.ready = undefined;
    });
  }

  async admit(key: KeyEntry, estimatedInputTokens: number): Promise<Admission> {
    if (this.ready) await this.ready;
    const { rpmLimit, tpmLimit, maxConcurrency, budgetUsd } = key;
    if (!rpmLimit && !tpmLimit && !maxConcurrency && budgetUsd === undefined) {
      // Nothing to check; spend is still counted so a budget set later starts from the truth.
      return { headers: NO_HEADERS, release: this.releaser(key.id, this.deps.defaultBackend) };
    }
    const now = this.deps.now();
    const window = minuteWindow(now);
    const period = budgetPeriodOf(key.budgetPeriod);
    const leaseId = `${this.leasePrefix}:${++this.leaseCounter}`;
    const estimate = Math.max(0, Math.round(estimatedInputTokens) || 0);
    const result = await this.deps.store.admit({
      keyId: key.id,
      now,
      window: window.id,
      rpmLimit: rpmLimit || undefined,
      tpmLimit: tpmLimit || undefined,
      maxConcurrency: maxConcurrency || undefined,
      budget: budgetUsd === undefined ? undefined : { limitUsd: budgetUsd, period: budgetPeriodKey(period, now) },
      estimatedTokens: estimate,
      leaseId,
    });
    const headers = rateLimitHeaders(key, result, window.endsAt - now);
    if (result.rejected) throw refusal(key, result, headers, now, window.endsAt, period);
    return {
      headers,
      release: this.releaser(key.id, result.backend, {
        leaseId: maxConcurrency ? leaseId : undefined,
        tpm: tpmLimit ? { window: window.id, reserved: estimate } : undefined,
      }),
    };
  }

  async state(key: { id: string; budgetPeriod?: string | null }): Promise<KeyLimitState> {
    if (this.ready) await this.ready;
    const now = this.deps.now();
    const periodKey = budgetPeriodKey(budgetPeriodOf(key.budgetPeriod), now);
    const counters = await this.deps.store.read(key.id, now, periodKey === TOTAL_PERIOD ? [TOTAL_PERIOD] : [periodKey, TOTAL_PERIOD]);
    return {
      rpmUsed: counters.rpmUsed,
      tpmUsed: counters.tpmUsed,
      inFlight: counters.inFlight,
      periodSpendUsd: counters.spend[periodKey] ?? 0,
      totalSpendUsd: counters.spend[TOTAL_PERIOD] ?? 0,
    };
  }

  /** Saves pending spend now (tests, shutdown). */
  async flushSpend(): Promise<void> {
    await Promise.allSettled([...this.releases]);
    await this.deps.persister?.flush();
  }

  async close(): Promise<void> {
    if (this.ready) await this.ready;
    await Promise.allSettled([...this.releases]);
    await this.deps.persister?.close();
    await this.deps.store.close();
    await this.deps.onClose?.();
  }

  private releaser(keyId: string, backend: BackendName, held: { leaseId?: string; tpm?: { window: number; reserved: number } } = {}): Admission['release'] {
    let released = false;
    return ({ usage, costUsd }) => {
      if (released) return;
      released = true;
      const now = this.deps.now();
      const cost = Number.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
      if (!held.leaseId && !held.tpm && cost === 0) return;
      const plan: ReleasePlan = { keyId, now, backend, leaseId: held.leaseId, costUsd: cost };
      // Real usage replaces the reservation; without reported usage (aborted or
      // failed before the upstream answered) the estimate stays counted.
      if (held.tpm) plan.tpm = { ...held.tpm, actual: usage ? usage.inputTokens + usage.outputTokens : held.tpm.reserved };
      this.deps.persister?.add(keyId, cost, now);
      const done = this.deps.store
        .release(plan)
        .catch((error: unknown) => this.deps.logger.warn({ err: error, keyId }, 'key limit release failed'))
        .finally(() => this.releases.delete(done));
      this.releases.add(done);
    };
  }
}

/** OpenAI-style x-ratelimit-* headers for the limits the key has. */
export function rateLimitHeaders(key: KeyEntry, result: AdmitResult, msToReset: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = formatResetDuration(msToReset);
  if (key.rpmLimit) {
    headers['x-ratelimit-limit-requests'] = String(key.rpmLimit);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, key.rpmLimit - result.rpmUsed));
    headers['x-ratelimit-reset-requests'] = reset;
  }
  if (key.tpmLimit) {
    headers['x-ratelimit-limit-tokens'] = String(key.tpmLimit);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, key.tpmLimit - result.tpmUsed));
    headers['x-ratelimit-reset-tokens'] = reset;
  }
  return headers;
}

const PERIOD_WORDS: Record<BudgetPeriod, string> = { daily: 'daily', monthly: 'monthly', total: 'total' };

function refusal(key: KeyEntry, result: AdmitResult, headers: Record<string, string>, now: number, windowEndsAt: number, period: BudgetPeriod): GatewayError {
  const who = `virtual key "${key.name}"`;
  const inWindow = windowEndsAt - now;
  switch (result.rejected) {
    case 'budget': {
      const end = budgetPeriodEnd(period, now);
      const resets = end === undefined ? '' : ` It resets in ${formatResetDuration(end - now)}.`;
      return new GatewayError({
        status: BUDGET_EXCEEDED_STATUS,
        kind: 'budget_exceeded',
        code: 'insufficient_quota',
        message: `Budget exceeded for ${who}: spent $${result.spentUsd.toFixed(4)} of its ${PERIOD_WORDS[period]} budget of $${key.budgetUsd}.${resets}`,
        retryAfter: end === undefined ? undefined : retryAfterSeconds(end - now),
        headers: { ...headers, 'x-should-retry': 'false' },
      });
    }
    case 'rpm':
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${who}: ${key.rpmLimit} requests per minute. Try again in ${formatResetDuration(inWindow)}.`,
        retryAfter: retryAfterSeconds(inWindow),
        headers,
      });
    case 'tpm':
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${who}: ${key.tpmLimit} tokens per minute (used ${result.tpmUsed}). Try again in ${formatResetDuration(inWindow)}.`,
        retryAfter: retryAfterSeconds(inWindow),
        headers,
      });
    case 'concurrency':
    case undefined:
      // `undefined` never reaches here (only a rejection is refused); it reads as the last limit.
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Too many concurrent requests for ${who}: at most ${key.maxConcurrency} at a time.`,
        retryAfter: 1,
        headers,
      });
    default: {
      const _exhaustive: never = result.rejected;
      return _exhaustive;
    }
  }
}
