import { describe, expect, it } from 'vitest';
import { aggregate, healthState, percentile, STATE_RULE } from '../../server/health/aggregates.js';
import type { HealthErrorType, RunRecord } from '../../server/core/health-run.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const MIN = 60_000;

let seq = 0;
function run(minutesAgo: number, latencyMs: number | null, errorType: HealthErrorType | null = null): RunRecord {
  return {
    id: `r${++seq}`,
    targetId: 't1',
    startedAt: new Date(NOW - minutesAgo * MIN),
    status: errorType ? 'failure' : 'success',
    latencyMs,
    ttftMs: latencyMs === null ? null : Math.round(latencyMs / 2),
    errorType,
    errorMessage: errorType ? 'boom' : null,
  };
}

describe('percentile (nearest rank)', () => {
  it('returns an observed value at rank ceil(p/100 × n)', () => {
    const values = [400, 100, 300, 200, 500, 600, 700, 800, 900, 1000];
    expect(percentile(values, 50)).toBe(500); // rank 5 of 10
    expect(percentile(values, 95)).toBe(1000); // rank ceil(9.5) = 10
    expect(percentile(values, 90)).toBe(900);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3], 50)).toBe(3); // rank ceil(1.5) = 2
  });
});

describe('aggregate over a known set of runs', () => {
  // Newest first: 3 runs in the last hour (1 failure), 7 more over the day (2 failures), 2 runs older than 24 h.
  const runs = [
    run(5, 100),
    run(20, null, 'timeout'),
    run(40, 300),
    run(90, 200),
    run(180, 400, 'http_5xx'),
    run(300, 500),
    run(600, 600),
    run(800, 700),
    run(1000, null, 'http_5xx'),
    run(1200, 800),
    run(25 * 60, 10_000),
    run(30 * 60, null, 'connection'),
  ];
  const h = aggregate(runs, NOW);

  it('computes availability over 1 h and 24 h from the runs inside each window', () => {
    expect(h.runs1h).toBe(3);
    expect(h.availability1h).toBeCloseTo(2 / 3, 6);
    expect(h.runs24h).toBe(10);
    expect(h.availability24h).toBeCloseTo(7 / 10, 6);
  });

  it('takes P50 / P95 over successful 24 h runs only', () => {
    // successes: 100 300 200 500 600 700 800 → sorted 100 200 300 500 600 700 800
    expect(h.latencyP50Ms).toBe(500); // rank ceil(3.5) = 4
    expect(h.latencyP95Ms).toBe(800); // rank ceil(6.65) = 7
    expect(h.ttftP50Ms).toBe(250);
  });

  it('counts failures by error type over 24 h', () => {
    expect(h.errorDistribution).toEqual({ timeout: 1, http_5xx: 2 });
    expect(h.lastStatus).toBe('success');
    expect(h.lastRunAt?.getTime()).toBe(NOW - 5 * MIN);
  });

  it('is degraded with one failure among the last five runs', () => {
    expect(h.state).toBe('degraded');
  });

  it('has no availability or latency without runs, and state unknown', () => {
    const empty = aggregate([run(25 * 60, 100)], NOW);
    expect(empty.availability1h).toBeNull();
    expect(empty.availability24h).toBeNull();
    expect(empty.latencyP50Ms).toBeNull();
    expect(aggregate([], NOW).state).toBe('unknown');
  });
});

describe('state rule', () => {
  const newestFirst = (...statuses: Array<'ok' | 'fail'>) => statuses.map((s, i) => run(i * 5, s === 'ok' ? 100 : null, s === 'ok' ? null : 'http_5xx'));

  it('is down when the last three runs failed', () => {
    expect(STATE_RULE.DOWN_AFTER).toBe(3);
    expect(healthState(newestFirst('fail', 'fail', 'fail', 'ok', 'ok'), 100)).toBe('down');
    expect(healthState(newestFirst('fail', 'fail', 'ok', 'ok', 'ok'), 100)).toBe('degraded');
    expect(healthState(newestFirst('fail'), null)).toBe('down');
  });

  it('is degraded while a failure is among the last five runs, healthy after five clean runs', () => {
    expect(healthState(newestFirst('ok', 'ok', 'ok', 'ok', 'fail', 'fail', 'fail'), 100)).toBe('degraded');
    expect(healthState(newestFirst('ok', 'ok', 'ok', 'ok', 'ok', 'fail', 'fail', 'fail'), 100)).toBe('healthy');
  });

  it('is degraded when recent latency is over twice the 24 h median and at least the margin above it', () => {
    const slow = [1, 2, 3, 4, 5].map((i) => run(i, 1500));
    expect(healthState(slow, 600)).toBe('degraded'); // 1500 > 2 × 600 and 900 ms above
    expect(healthState(slow, 800)).toBe('healthy'); // 1500 < 1600
    const fastButDoubled = [1, 2, 3, 4, 5].map((i) => run(i, 30));
    expect(healthState(fastButDoubled, 10)).toBe('healthy'); // 3× but only 20 ms above: noise
  });
});
