/**
 * The public health API (`/public/health/*`), read by the status page without
 * a login. Shapes mirror server/health/public-views.ts.
 */

export type HealthState = 'healthy' | 'degraded' | 'down' | 'unknown';
export type RunStatus = 'success' | 'failure';

export interface RunBrief {
  started_at: string;
  status: RunStatus;
  latency_ms: number | null;
  error_type: string | null;
}

export interface PublicTarget {
  id: string;
  name: string;
  kind: 'model' | 'virtual_model';
  model: string;
  check_interval_seconds: number;
  state: HealthState;
  /** Percent, 0..100, null without runs. */
  availability_1h: number | null;
  availability_24h: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
  runs_1h: number;
  runs_24h: number;
  error_distribution: Record<string, number>;
  last_run_at: string | null;
  last_status: RunStatus | null;
  /** Newest first. */
  recent_runs: RunBrief[];
}

export interface PublicSummary {
  state: HealthState;
  targets: number;
  states: Record<HealthState, number>;
  availability_24h: number | null;
  updated_at: string;
}

export interface PublicRun extends RunBrief {
  id: string;
  ttft_ms: number | null;
  error_message: string | null;
}

export interface RunsPage {
  target_id: string;
  window: RunWindow;
  page: number;
  page_size: number;
  total: number;
  pages: number;
  runs: PublicRun[];
}

export type RunWindow = '1h' | '24h' | '7d';

export class PublicApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `error.message` of an error body (`{ error: { message } }`), when there is one. */
function errorMessage(body: unknown): string | undefined {
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
  return typeof message === 'string' ? message : undefined;
}

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new PublicApiError(res.status, errorMessage(body) ?? `HTTP ${res.status}`);
  return body as T;
}

export const fetchSummary = (signal?: AbortSignal) => get<PublicSummary>('/public/health/summary', signal);
export const fetchTargets = (signal?: AbortSignal) => get<{ targets: PublicTarget[] }>('/public/health/targets', signal).then((r) => r.targets);
export interface DayUptime {
  /** UTC day, yyyy-mm-dd. */
  day: string;
  runs: number;
  failures: number;
  /** Percent, null on a day without checks. */
  availability: number | null;
}

export const UPTIME_DAYS = 30;
export const fetchDaily = (signal?: AbortSignal) =>
  get<{ days: number; targets: { target_id: string; days: DayUptime[] }[] }>(`/public/health/daily?days=${UPTIME_DAYS}`, signal).then(
    (r) => new Map(r.targets.map((t) => [t.target_id, t.days])),
  );

export const fetchRuns = (targetId: string, window: RunWindow, page: number, pageSize: number, signal?: AbortSignal) =>
  get<RunsPage>(`/public/health/runs?${new URLSearchParams({ target_id: targetId, window, page: String(page), page_size: String(pageSize) })}`, signal);
