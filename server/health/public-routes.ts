import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { RateLimiterMemory as MemoryLimiter, RateLimiterRes as LimiterRes } from 'rate-limiter-flexible';
import { clientIp } from '../http/client-ip.js';
import { sendJson } from '../http/json.js';
import type { Router } from '../http/router.js';
import { DAY_MS, HOUR_MS } from './aggregates.js';
import type { HealthMonitor } from './monitor.js';
import { publicDaily, publicDetail, publicIncident, publicRun, publicSummary, publicTarget } from './public-views.js';
import type { StatusIncident } from '../settings/status-incidents.js';

export const PUBLIC_RATE = { points: 60, durationSeconds: 60 } as const;
// The two classes used, from their own files: the package's index loads every store it supports
// (Redis, Mongo, SQL …), about 1 MB of heap a gateway never uses.
const load = createRequire(import.meta.url);
const RateLimiterMemory = load('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof MemoryLimiter;
const RateLimiterRes = load('rate-limiter-flexible/lib/RateLimiterRes.js') as typeof LimiterRes;

const WINDOWS: Record<string, number> = { '1h': HOUR_MS, '24h': DAY_MS, '7d': 7 * DAY_MS };
/** Longest uptime-bar window: the retention of health runs is 30 days by default. */
const MAX_DAILY_DAYS = 90;
const MAX_PAGE_SIZE = 200;
const MAX_PAGE = 100_000;

class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

const fail = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
  sendJson(res, status, { error: { message, status } }, { 'cache-control': 'no-store', ...headers });

function query(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

function positiveInt(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new BadRequest(400, `${name} must be a positive integer`);
  const value = Number(raw);
  if (value < 1) throw new BadRequest(400, `${name} must be at least 1`);
  if (value > max) throw new BadRequest(400, `${name} must be at most ${max}`);
  return value;
}

function targetId(params: URLSearchParams): string {
  const id = params.get('target_id');
  if (!id) throw new BadRequest(400, 'target_id is required');
  if (id.length > 64 || !/^[A-Za-z0-9_-]+$/.test(id)) throw new BadRequest(404, 'Unknown target_id');
  return id;
}

/**
 * `GET /public/health/*`: no login, 404 while monitoring is off, 60 requests a
 * minute per client IP (X-Forwarded-For only with TRUST_PROXY). Every answer
 * is built from an allow-list of public fields (public-views.ts).
 */
export function registerPublicHealthRoutes(
  router: Router,
  monitor: HealthMonitor,
  options: { trustProxy: boolean; now?: () => number; incidents?: () => readonly StatusIncident[] },
): void {
  const limiter = new RateLimiterMemory({ points: PUBLIC_RATE.points, duration: PUBLIC_RATE.durationSeconds });
  const now = options.now ?? Date.now;

  const guard =
    (handler: (params: URLSearchParams) => Promise<unknown>) =>
    async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      try {
        await limiter.consume(clientIp(req, options.trustProxy) || 'unknown');
      } catch (rejected) {
        if (!(rejected instanceof RateLimiterRes)) throw rejected;
        const seconds = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
        return fail(res, 429, `Too many requests: at most ${PUBLIC_RATE.points} per minute`, { 'retry-after': String(seconds) });
      }
      if (!monitor.enabled) return fail(res, 404, 'Not found');
      try {
        const body = await handler(query(req));
        sendJson(res, 200, body, { 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
      } catch (error) {
        if (error instanceof BadRequest) return fail(res, error.status, error.message);
        throw error;
      }
    };

  const findView = async (params: URLSearchParams) => {
    const id = targetId(params);
    const view = (await monitor.views(true)).find((v) => v.target.id === id);
    if (!view) throw new BadRequest(404, 'Unknown target_id');
    return view;
  };

  router.add(
    'GET',
    '/public/health/summary',
    guard(async () => publicSummary(await monitor.views(true), new Date(now()))),
  );
  // Incidents and notes the admins posted, newest first (only the fields written for the public).
  router.add(
    'GET',
    '/public/health/incidents',
    guard(async () => ({ incidents: (options.incidents?.() ?? []).map(publicIncident) })),
  );
  router.add(
    'GET',
    '/public/health/targets',
    guard(async () => ({ targets: (await monitor.views(true)).map((v) => publicTarget(v)) })),
  );
  // Uptime bars over days: checks and failures per UTC day, for every enabled target.
  router.add(
    'GET',
    '/public/health/daily',
    guard(async (params) => {
      const days = positiveInt(params, 'days', 30, MAX_DAILY_DAYS);
      const at = new Date(now());
      const views = await monitor.views(true);
      const ids = views.map((v) => v.target.id);
      const since = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) - (days - 1) * DAY_MS);
      const counts = await monitor.repo.dailyCounts(ids, since);
      return { days, targets: ids.map((id) => publicDaily(id, counts.get(id) ?? new Map<string, { runs: number; failures: number }>(), days, at)) };
    }),
  );
  router.add(
    'GET',
    '/public/health/detail',
    guard(async (params) => publicDetail(await findView(params))),
  );
  router.add(
    'GET',
    '/public/health/runs',
    guard(async (params) => {
      const window = params.get('window') ?? '24h';
      const windowMs = WINDOWS[window];
      if (!windowMs) throw new BadRequest(400, 'window must be one of 1h, 24h, 7d');
      const page = positiveInt(params, 'page', 1, MAX_PAGE);
      const pageSize = positiveInt(params, 'page_size', 50, MAX_PAGE_SIZE);
      const view = await findView(params);
      const { total, runs } = await monitor.repo.runsPage(view.target.id, new Date(now() - windowMs), (page - 1) * pageSize, pageSize);
      return { target_id: view.target.id, window, page, page_size: pageSize, total, pages: Math.ceil(total / pageSize), runs: runs.map(publicRun) };
    }),
  );
}
