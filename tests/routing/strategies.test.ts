import { describe, expect, test } from 'vitest';
import { CircuitBreakers } from '../../server/routing/circuit-breaker.js';
import { LatencyTracker } from '../../server/routing/latency-tracker.js';
import { pickTarget } from '../../server/routing/pick-target.js';
import { backoffDelay, isRetryable } from '../../server/routing/retry-policy.js';
import type { RouteTarget } from '../../server/snapshot/types.js';
import { GatewayError } from '../../server/core/error.js';

const target = (id: string, weight: number, priority: number): RouteTarget => ({ id, weight, priority, model: { id: `m-${id}` } }) as unknown as RouteTarget;

/** Deterministic uniform numbers (mulberry32) so the distribution test is repeatable. */
function seeded(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('pickTarget', () => {
  test('LOAD_BALANCE honours weights within a few percent over 10,000 picks', () => {
    const targets = [target('a', 70, 0), target('b', 20, 0), target('c', 10, 0)];
    const random = seeded(42);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[pickTarget('LOAD_BALANCE', targets, new LatencyTracker(), random)!.id]++;
    expect(counts.a / 10_000).toBeCloseTo(0.7, 1);
    expect(Math.abs(counts.a / 10_000 - 0.7)).toBeLessThan(0.03);
    expect(Math.abs(counts.b / 10_000 - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(counts.c / 10_000 - 0.1)).toBeLessThan(0.03);
  });

  test('a zero weight is never picked while others have weight', () => {
    const targets = [target('a', 0, 0), target('b', 1, 0)];
    const random = seeded(7);
    for (let i = 0; i < 1000; i++) expect(pickTarget('LOAD_BALANCE', targets, new LatencyTracker(), random)!.id).toBe('b');
  });

  test('FAILOVER picks the lowest priority number', () => {
    expect(pickTarget('FAILOVER', [target('a', 1, 2), target('b', 1, 0), target('c', 1, 1)], new LatencyTracker())!.id).toBe('b');
  });

  test('LEAST_LATENCY prefers the fastest, tries unmeasured first, and explores sometimes', () => {
    const latency = new LatencyTracker();
    const targets = [target('a', 1, 0), target('b', 1, 0)];
    expect(pickTarget('LEAST_LATENCY', targets, latency, () => 0.99)!.id).toBe('a'); // unmeasured first
    latency.observe('m-a', 500);
    expect(pickTarget('LEAST_LATENCY', targets, latency, () => 0.99)!.id).toBe('b');
    latency.observe('m-b', 100);
    expect(pickTarget('LEAST_LATENCY', targets, latency, () => 0.99)!.id).toBe('b');
    const random = seeded(3);
    let explored = 0;
    for (let i = 0; i < 2000; i++) if (pickTarget('LEAST_LATENCY', targets, latency, random)!.id === 'a') explored++;
    expect(explored).toBeGreaterThan(40);
    expect(explored).toBeLessThan(200);
  });
});

describe('CircuitBreakers', () => {
  const settings = { failureThreshold: 3, failureWindowMs: 60_000, cooldownMs: 30_000 };

  test('opens after N failures in the window, half-opens after the cool-down, closes on a good trial', () => {
    let now = 1_000_000;
    const changes: string[] = [];
    const breakers = new CircuitBreakers({ now: () => now }, (c) => changes.push(c.state));
    breakers.failure('t', settings);
    breakers.failure('t', settings);
    expect(breakers.state('t').state).toBe('closed');
    breakers.failure('t', settings);
    expect(breakers.state('t')).toEqual({ state: 'open', cooldownUntil: now + 30_000 });
    expect(breakers.tryAcquire('t')).toBe(false);
    now += 30_000;
    expect(breakers.state('t').state).toBe('half_open');
    expect(breakers.tryAcquire('t')).toBe(true); // the one trial
    expect(breakers.tryAcquire('t')).toBe(false); // nobody else meanwhile
    breakers.success('t');
    expect(breakers.state('t').state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  test('a failed half-open trial re-opens for another cool-down', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ now: () => now });
    for (let i = 0; i < 3; i++) breakers.failure('t', settings);
    now += 30_000;
    expect(breakers.tryAcquire('t')).toBe(true);
    breakers.failure('t', settings);
    expect(breakers.state('t')).toEqual({ state: 'open', cooldownUntil: now + 30_000 });
  });

  test('forceOpen holds exactly the given end, however the clock moves meanwhile', () => {
    let now = 5_000;
    const changes: Array<{ state: string; cooldownUntil: number | null }> = [];
    const breakers = new CircuitBreakers({ now: () => now }, (c) => changes.push({ state: c.state, cooldownUntil: c.cooldownUntil }));
    const until = 65_000;
    now += 7; // the clock moves between the decision elsewhere and its application here
    breakers.forceOpen('t', until);
    expect(breakers.state('t')).toEqual({ state: 'open', cooldownUntil: until });
    expect(changes).toEqual([{ state: 'open', cooldownUntil: until }]);
    breakers.forceOpen('t', until - 1_000); // an earlier end never shortens the cool-down
    expect(breakers.state('t').cooldownUntil).toBe(until);
    breakers.forceOpen('t', until + 1_000); // a later one extends it
    expect(breakers.state('t').cooldownUntil).toBe(until + 1_000);
    now = until + 1_000;
    expect(breakers.state('t').state).toBe('half_open'); // the trial runs on this clock
    expect(breakers.tryAcquire('t')).toBe(true);
  });

  test('forceOpen with an instant already past changes nothing', () => {
    const breakers = new CircuitBreakers({ now: () => 10_000 });
    breakers.forceOpen('t', 9_999);
    expect(breakers.state('t')).toEqual({ state: 'closed', cooldownUntil: null });
  });

  test('failures outside the window do not add up', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ now: () => now });
    breakers.failure('t', settings);
    breakers.failure('t', settings);
    now += 61_000;
    breakers.failure('t', settings);
    expect(breakers.state('t').state).toBe('closed');
  });
});

describe('retry policy', () => {
  test('retries connection errors, timeouts, 429 and 5xx, never a 4xx of the request', () => {
    expect(isRetryable(new GatewayError({ status: 502, kind: 'upstream', message: '' }))).toBe(true);
    expect(isRetryable(new GatewayError({ status: 504, kind: 'timeout', message: '' }))).toBe(true);
    expect(isRetryable(new GatewayError({ status: 429, kind: 'rate_limit', message: '' }))).toBe(true);
    expect(isRetryable(new GatewayError({ status: 500, kind: 'upstream', message: '' }))).toBe(true);
    expect(isRetryable(new GatewayError({ status: 400, kind: 'invalid_request', message: '' }))).toBe(false);
    expect(isRetryable(new GatewayError({ status: 404, kind: 'not_found', message: '' }))).toBe(false);
  });

  test('backoff grows, is jittered and honours retry-after', () => {
    expect(backoffDelay(0, 100, 5000, undefined, () => 0.5)).toBe(50);
    expect(backoffDelay(3, 100, 5000, undefined, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 5000, undefined, () => 0.999)).toBeLessThan(5000);
    expect(backoffDelay(0, 100, 5000, 2, () => 0.1)).toBe(2000);
    expect(backoffDelay(0, 100, 5000, 60, () => 0.1)).toBe(5000);
  });
});
