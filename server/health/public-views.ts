import type { TargetView } from './monitor.js';
import type { HealthState, RunRecord } from '../core/health-run.js';
import type { TargetHealth } from './types.js';
import type { StatusIncident } from '../settings/status-incidents.js';

/**
 * JSON shapes of the public health API (snake_case, like the query strings).
 * Built from an allow-list of fields: no keys, no upstream URLs, no provider
 * names, no prompt but the check prompt.
 */
const ms = (v: number | null) => v;
const pct = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 100);

export function publicRun(run: RunRecord) {
  return {
    id: run.id,
    started_at: run.startedAt.toISOString(),
    status: run.status,
    latency_ms: ms(run.latencyMs),
    ttft_ms: ms(run.ttftMs),
    error_type: run.errorType,
    error_message: run.errorMessage,
  };
}

function publicHealth(h: TargetHealth) {
  return {
    state: h.state,
    availability_1h: pct(h.availability1h),
    availability_24h: pct(h.availability24h),
    latency_p50_ms: ms(h.latencyP50Ms),
    latency_p95_ms: ms(h.latencyP95Ms),
    ttft_p50_ms: ms(h.ttftP50Ms),
    runs_1h: h.runs1h,
    runs_24h: h.runs24h,
    error_distribution: h.errorDistribution,
    last_run_at: h.lastRunAt?.toISOString() ?? null,
    last_status: h.lastStatus,
  };
}

/** A target in the list: aggregates and the newest runs for the uptime bar. */
export function publicTarget(view: TargetView, recentRuns = 30) {
  return {
    id: view.target.id,
    name: view.target.name,
    kind: view.target.kind,
    model: view.target.modelName,
    check_interval_seconds: view.target.intervalSeconds,
    ...publicHealth(view.health),
    recent_runs: view.recent.slice(0, recentRuns).map((r) => ({
      started_at: r.startedAt.toISOString(),
      status: r.status,
      latency_ms: r.latencyMs,
      error_type: r.errorType,
    })),
  };
}

export function publicDetail(view: TargetView) {
  return { ...publicTarget(view, 90), check_prompt: view.target.checkPrompt };
}

/** Uptime per UTC day, oldest first, with a slot for every day of the window (empty days have no runs). */
export function publicDaily(targetId: string, counts: Map<string, { runs: number; failures: number }>, days: number, now: Date) {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: { day: string; runs: number; failures: number; availability: number | null }[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(today - i * 86_400_000).toISOString().slice(0, 10);
    const c = counts.get(day) ?? { runs: 0, failures: 0 };
    out.push({ day, runs: c.runs, failures: c.failures, availability: c.runs ? pct((c.runs - c.failures) / c.runs) : null });
  }
  return { target_id: targetId, days: out };
}

export function publicSummary(views: TargetView[], now: Date) {
  const states: Record<HealthState, number> = { healthy: 0, degraded: 0, down: 0, unknown: 0 };
  let runs = 0;
  let successes = 0;
  for (const v of views) {
    states[v.health.state]++;
    runs += v.health.runs24h;
    successes += Math.round((v.health.availability24h ?? 0) * v.health.runs24h);
  }
  const known = views.length - states.unknown;
  // Overall: the worst state of any measured target (one target down reads as down, not degraded); unknown without data.
  const overall: HealthState = known === 0 ? 'unknown' : states.down > 0 ? 'down' : states.degraded > 0 ? 'degraded' : 'healthy';
  return {
    state: overall,
    targets: views.length,
    states,
    availability_24h: runs ? pct(successes / runs) : null,
    updated_at: now.toISOString(),
  };
}

/** An incident as the public sees it: what the admin wrote for it, and when. */
export function publicIncident(i: StatusIncident) {
  return { id: i.id, title: i.title, body: i.body, severity: i.severity, created_at: i.createdAt, updated_at: i.updatedAt, resolved_at: i.resolvedAt };
}
