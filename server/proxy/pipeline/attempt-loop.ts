import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../../core/error.js';
import type { AbortLike } from '../../http/light-abort.js';
import { attemptSignal } from '../../routing/attempt-signal.js';
import type { Router } from '../../routing/router-state.js';
import { pickTarget } from '../../routing/pick-target.js';
import { backoffDelay, isRetryable } from '../../routing/retry-policy.js';
import type { ModelEntry, RouteTarget, VirtualModelEntry } from '../../snapshot/types.js';
import type { GenerationContext, ProxyContext } from './context.js';
import { noteAttempt } from './attempt-log.js';
import { asGatewayError } from './errors.js';
import { exchange } from './exchange.js';

/**
 * Serves a request through a virtual model: pick a healthy target, try it,
 * and on a retryable failure move to the next (or back off and retry when all
 * were tried), until the retries or the deadline run out. Nothing is retried
 * once a byte has reached the client.
 */
export async function routeRequest(ctx: GenerationContext, route: VirtualModelEntry, state: Router): Promise<void> {
  return routeAttempts(ctx, route, state, (model, signal, onResponse) => exchange(ctx, model, signal, onResponse));
}

/** One attempt against one target; `onResponse` once the upstream answered with a success status. */
export type AttemptRun = (model: ModelEntry, signal: AbortLike, onResponse: () => void) => Promise<void>;

/** The same loop for endpoints that are not generations (images, audio, rerank …): they bring their own attempt. */
export async function routeAttempts(ctx: ProxyContext, route: VirtualModelEntry, state: Router, run: AttemptRun): Promise<void> {
  const { options } = route;
  const deadline = state.clock.now() + options.deadlineMs;
  const tried = new Set<string>();
  let lastError: GatewayError | undefined;

  for (let attempt = 0; attempt <= options.retries; attempt++) {
    const target = chooseTarget(route, tried, state);
    if (!target) break;
    if (attempt > 0 && tried.has(target.id)) {
      const wait = backoffDelay(attempt - 1, options.backoffMs, options.maxBackoffMs, lastError?.retryAfter);
      if (state.clock.now() + wait >= deadline) break;
      await sleep(wait);
      if (ctx.abort.aborted) return;
    }
    if (!state.breakers.tryAcquire(target.model.id)) continue;
    tried.add(target.id);
    ctx.model = target.model;
    ctx.attempts++;
    const started = state.clock.now();
    const startedAt = performance.now();
    const remaining = deadline - started;
    const timeoutMs = options.attemptTimeoutMs > 0 ? Math.min(options.attemptTimeoutMs, remaining) : remaining;
    const attemptAbort = attemptSignal(ctx.abort, timeoutMs);
    try {
      await run(target.model, attemptAbort.signal, () => {
        attemptAbort.answered();
        state.latency.observe(target.model.id, state.clock.now() - started);
      });
      state.breakers.success(target.model.id);
      noteAttempt(ctx, target.model, startedAt);
      return;
    } catch (error) {
      if (ctx.abort.aborted) {
        state.breakers.release(target.model.id);
        noteAttempt(ctx, target.model, startedAt, asGatewayError(error));
        throw error;
      }
      const failure = attemptAbort.timedOut
        ? new GatewayError({ status: 504, kind: 'timeout', message: `The provider "${target.model.provider.name}" did not answer within ${timeoutMs} ms` })
        : asGatewayError(error);
      noteAttempt(ctx, target.model, startedAt, failure);
      if (!isRetryable(failure)) {
        state.breakers.release(target.model.id);
        throw failure;
      }
      state.breakers.failure(target.model.id, options);
      lastError = failure;
      if (ctx.res.headersSent || state.clock.now() >= deadline) throw failure;
    } finally {
      attemptAbort.dispose();
    }
  }
  throw (
    lastError ??
    new GatewayError({
      status: 503,
      kind: 'overloaded',
      message: `No target of "${route.name}" is available right now (all are cooling down)`,
      retryAfter: 1,
    })
  );
}

/** Untried healthy targets first; when every target was tried, the healthy ones again (retry with backoff). */
function chooseTarget(route: VirtualModelEntry, tried: Set<string>, state: Router): RouteTarget | undefined {
  const healthy = route.targets.filter((t) => t.model.enabled && t.model.provider.enabled && state.breakers.isAvailable(t.model.id));
  const fresh = healthy.filter((t) => !tried.has(t.id));
  return pickTarget(route.strategy, fresh.length ? fresh : healthy, state.latency, state.random);
}
