import type { HealthState, RunRecord } from '../core/health-run.js';
import type { TargetHealth } from './types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The state rule (newest runs first):
 * - down: the last DOWN_AFTER runs all failed (or every run, while fewer exist);
 * - degraded: any failure among the last RECENT runs, or the median latency of
 *   the last RECENT successes is more than SLOW_FACTOR × the 24 h median and at
 *   least SLOW_MARGIN_MS above it (the margin keeps fast models from flapping on
 *   a few milliseconds of noise);
 * - healthy otherwise; unknown without runs.
 * A recovered target is therefore degraded until RECENT clean runs in a row.
 */
export const STATE_RULE = { DOWN_AFTER: 3, RECENT: 5, SLOW_FACTOR: 2, SLOW_MARGIN_MS: 500 } as const;

/**
 * Nearest-rank percentile: the smallest value with at least p % of the sample at
 * or below it, i.e. sorted[ceil(p/100 × n) − 1]. Always an observed value.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function availability(runs: readonly RunRecord[]): number | null {
  if (runs.length === 0) return null;
  return runs.filter((r) => r.status === 'success').length / runs.length;
}

const latencies = (runs: readonly RunRecord[], field: 'latencyMs' | 'ttftMs' = 'latencyMs') =>
  runs.filter((r) => r.status === 'success' && r[field] !== null).map((r) => r[field]!);

/** State from runs sorted newest first (see STATE_RULE). */
export function healthState(newestFirst: readonly RunRecord[], baselineP50Ms: number | null): HealthState {
  if (newestFirst.length === 0) return 'unknown';
  const lastFew = newestFirst.slice(0, STATE_RULE.DOWN_AFTER);
  if (lastFew.every((r) => r.status === 'failure')) return 'down';
  const recent = newestFirst.slice(0, STATE_RULE.RECENT);
  if (recent.some((r) => r.status === 'failure')) return 'degraded';
  const recentP50 = percentile(latencies(recent), 50);
  if (
    recentP50 !== null &&
    baselineP50Ms !== null &&
    recentP50 > STATE_RULE.SLOW_FACTOR * baselineP50Ms &&
    recentP50 - baselineP50Ms >= STATE_RULE.SLOW_MARGIN_MS
  ) {
    return 'degraded';
  }
  return 'healthy';
}

/**
 * Aggregates of one target from its runs (any order, at least the last 24 h;
 * older runs are ignored except for the state, which looks at the newest runs).
 */
export function aggregate(runs: readonly RunRecord[], now: number): TargetHealth {
  const newestFirst = [...runs].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const day = newestFirst.filter((r) => r.startedAt.getTime() > now - DAY_MS);
  const hour = day.filter((r) => r.startedAt.getTime() > now - HOUR_MS);
  const dayLatencies = latencies(day);
  const p50 = percentile(dayLatencies, 50);
  const errorDistribution: Record<string, number> = {};
  for (const run of day) {
    if (run.status === 'failure') {
      const type = run.errorType ?? 'unknown';
      errorDistribution[type] = (errorDistribution[type] ?? 0) + 1;
    }
  }
  const last = newestFirst[0];
  return {
    state: healthState(newestFirst, p50),
    availability1h: availability(hour),
    availability24h: availability(day),
    latencyP50Ms: p50,
    latencyP95Ms: percentile(dayLatencies, 95),
    ttftP50Ms: percentile(latencies(day, 'ttftMs'), 50),
    runs1h: hour.length,
    runs24h: day.length,
    errorDistribution,
    lastRunAt: last?.startedAt ?? null,
    lastStatus: last?.status ?? null,
  };
}
