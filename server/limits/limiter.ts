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
import type { BackendName, CounterStore, LimitName, ReleasePlan, SubjectCounters, SubjectRelease } from './store.js';
import { hasLimits, limitSubjects, teamSubjectId, type AdmitScope, type LimitSubject } from './subjects.js';
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

  async admit(key: KeyEntry, estimatedInputTokens: number, scope: AdmitScope = {}): Promise<Admission> {
    if (this.ready) await this.ready;
    const now = this.deps.now();
    const subjects = limitSubjects(key, scope, now);
    if (!subjects.some((s) => hasLimits(s.plan))) {
      // Nothing to check; spend is still counted so a budget set later starts from the truth.
      return { headers: NO_HEADERS, release: this.releaser(subjects, this.deps.defaultBackend, {}) };
    }
    const window = minuteWindow(now);
    const leaseId = `${this.leasePrefix}:${++this.leaseCounter}`;
    const estimate = Math.max(0, Math.round(estimatedInputTokens) || 0);
    const admitted = this.deps.store.admit({ subjects: subjects.map((s) => s.plan), now, window: window.id, estimatedTokens: estimate, leaseId });
    const result = admitted instanceof Promise ? await admitted : admitted;
    const headers = rateLimitHeaders(subjects, result.counters, window.endsAt - now);
    if (result.rejected) {
      const by = result.rejectedBy ?? 0;
      throw refusal(result.rejected, subjects[by], result.counters[by], headers, now, window.endsAt);
    }
    return { headers, release: this.releaser(subjects, result.backend, { leaseId, tpm: { window: window.id, reserved: estimate } }) };
  }

  /** Counters of one team (its RPM / TPM window and spend), for the admin API. */
  async teamState(team: { id: string; budgetPeriod?: string | null }): Promise<KeyLimitState> {
    return this.state({ id: teamSubjectId(team.id), budgetPeriod: team.budgetPeriod });
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

  private releaser(
    subjects: LimitSubject[],
    backend: BackendName,
    held: { leaseId?: string; tpm?: { window: number; reserved: number } },
  ): Admission['release'] {
    let released = false;
    return ({ usage, costUsd }) => {
      if (released) return;
      released = true;
      const now = this.deps.now();
      const cost = Number.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
      // Real usage replaces the reservation; without reported usage (aborted or
      // failed before the upstream answered) the estimate stays counted.
      const actual = held.tpm && usage ? usage.inputTokens + usage.outputTokens : held.tpm?.reserved;
      const releases: SubjectRelease[] = [];
      for (const { plan, spend } of subjects) {
        const lease = plan.maxConcurrency ? held.leaseId : undefined;
        const tpm = plan.tpmLimit && held.tpm ? { ...held.tpm, actual: actual ?? held.tpm.reserved } : undefined;
        const spends = spend && cost > 0;
        if (lease || tpm || spends) releases.push({ id: plan.id, leaseId: lease, tpm, spend: spends });
      }
      if (releases.length === 0) return;
      for (const s of subjects) if (s.persist && s.ownerId) this.deps.persister?.add(s.ownerId, cost, now, s.persist);
      const plan: ReleasePlan = { now, backend, subjects: releases, costUsd: cost };
      const failed = (error: unknown) => this.deps.logger.warn({ err: error, keyId: subjects[0].plan.id }, 'key limit release failed');
      let pending: Promise<void> | void = undefined;
      try {
        pending = this.deps.store.release(plan);
      } catch (error) {
        failed(error);
      }
      // Only a release that is still on its way (Redis) is tracked for flushSpend and close.
      if (!(pending instanceof Promise)) return;
      const done = pending.catch(failed).finally(() => this.releases.delete(done));
      this.releases.add(done);
    };
  }
}

/** OpenAI-style x-ratelimit-* headers for the first subject (key, then team, …) that has each limit. */
export function rateLimitHeaders(subjects: LimitSubject[], counters: SubjectCounters[], msToReset: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = formatResetDuration(msToReset);
  for (const { limitField, usedField, names } of RATE_HEADERS) {
    const at = subjects.findIndex((s) => s.plan[limitField]);
    if (at < 0) continue;
    const limit = subjects[at].plan[limitField]!;
    headers[names.limit] = String(limit);
    headers[names.remaining] = String(Math.max(0, limit - counters[at][usedField]));
    headers[names.reset] = reset;
  }
  return headers;
}

/** Per unit: where its limit and use are read, and its header names (built once, not per answer). */
const RATE_HEADERS = (
  [
    ['requests', 'rpmLimit', 'rpmUsed'],
    ['tokens', 'tpmLimit', 'tpmUsed'],
  ] as const
).map(([unit, limitField, usedField]) => ({
  limitField,
  usedField,
  names: { limit: `x-ratelimit-limit-${unit}`, remaining: `x-ratelimit-remaining-${unit}`, reset: `x-ratelimit-reset-${unit}` },
}));

const PERIOD_WORDS: Record<BudgetPeriod, string> = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', total: 'total' };

function refusal(
  rejected: LimitName,
  subject: LimitSubject,
  found: SubjectCounters,
  headers: Record<string, string>,
  now: number,
  windowEndsAt: number,
): GatewayError {
  const { who, plan } = subject;
  const inWindow = windowEndsAt - now;
  switch (rejected) {
    case 'budget': {
      const end = budgetPeriodEnd(subject.period, now);
      const resets = end === undefined ? '' : ` It resets in ${formatResetDuration(end - now)}.`;
      return new GatewayError({
        status: BUDGET_EXCEEDED_STATUS,
        kind: 'budget_exceeded',
        code: 'insufficient_quota',
        message: `Budget exceeded for ${who}: spent $${found.spentUsd.toFixed(4)} of its ${PERIOD_WORDS[subject.period]} budget of $${subject.budgetUsd}.${resets}`,
        retryAfter: end === undefined ? undefined : retryAfterSeconds(end - now),
        headers: { ...headers, 'x-should-retry': 'false' },
      });
    }
    case 'rpm':
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${who}: ${plan.rpmLimit} requests per minute. Try again in ${formatResetDuration(inWindow)}.`,
        retryAfter: retryAfterSeconds(inWindow),
        headers,
      });
    case 'tpm':
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Rate limit reached for ${who}: ${plan.tpmLimit} tokens per minute (used ${found.tpmUsed}). Try again in ${formatResetDuration(inWindow)}.`,
        retryAfter: retryAfterSeconds(inWindow),
        headers,
      });
    case 'concurrency':
      return new GatewayError({
        status: 429,
        kind: 'rate_limit',
        code: 'rate_limit_exceeded',
        message: `Too many concurrent requests for ${who}: at most ${plan.maxConcurrency} at a time.`,
        retryAfter: 1,
        headers,
      });
    default: {
      const _exhaustive: never = rejected;
      return _exhaustive;
    }
  }
}
