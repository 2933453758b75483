import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, publicGet, runNow, setMonitoring } from './helpers.js';

describe('public health API', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let targetId: string;
  let ipSeq = 0;
  /** TRUST_PROXY is on here, so every test speaks from its own client IP unless it says otherwise. */
  const get = (path: string, ip = `10.0.0.${++ipSeq}`) => publicGet(gw, path, { 'x-forwarded-for': ip });

  beforeAll(async () => {
    gw = await startTestGateway({ TRUST_PROXY: 'true' });
    const { model } = await addUpstream(gw, 'openai-chat', { model: 'gpt-public' });
    mock = (await addUpstream(gw, 'anthropic', { model: 'claude-public' })).mock;
    await setMonitoring(gw, true);
    targetId = await createTarget(gw, { name: 'GPT public', modelName: model, intervalSeconds: 3600 });
    await createTarget(gw, { modelName: 'claude-public', intervalSeconds: 3600 });
    for (let i = 0; i < 5; i++) await runNow(gw, targetId);
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  it('summary, targets, detail and runs answer with public numbers only', async () => {
    const summary = await get('/public/health/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ state: 'healthy', targets: 2, states: { healthy: 1, unknown: 1, degraded: 0, down: 0 }, availability_24h: 100 });

    const targets = await get('/public/health/targets');
    expect(targets.status).toBe(200);
    const gpt = targets.body.targets.find((t: any) => t.id === targetId);
    expect(gpt).toMatchObject({ name: 'GPT public', model: 'gpt-public', state: 'healthy', availability_1h: 100, runs_24h: 5 });
    expect(gpt.latency_p50_ms).toBeGreaterThanOrEqual(0);
    expect(gpt.latency_p95_ms).toBeGreaterThanOrEqual(gpt.latency_p50_ms);
    expect(gpt.recent_runs).toHaveLength(5);
    expect(Object.keys(gpt).sort()).toEqual(
      [
        'availability_1h',
        'availability_24h',
        'check_interval_seconds',
        'error_distribution',
        'id',
        'kind',
        'last_run_at',
        'last_status',
        'latency_p50_ms',
        'latency_p95_ms',
        'model',
        'name',
        'recent_runs',
        'runs_1h',
        'runs_24h',
        'state',
        'ttft_p50_ms',
      ].sort(),
    );
    expect(targets.text).not.toMatch(/sk-gw-|upstream-secret-key|127\.0\.0\.1|http:\/\//);

    const runs = await get(`/public/health/runs?target_id=${targetId}&window=1h&page=2&page_size=2`);
    expect(runs.status).toBe(200);
    expect(runs.body).toMatchObject({ target_id: targetId, window: '1h', page: 2, page_size: 2, total: 5, pages: 3 });
    expect(runs.body.runs).toHaveLength(2);
    expect(runs.body.runs[0]).toMatchObject({ status: 'success', error_type: null });
    const all = await get(`/public/health/runs?target_id=${targetId}`);
    expect(all.body).toMatchObject({ window: '24h', page: 1, page_size: 50, total: 5 });
    // Newest first, and page 2 continues page 1.
    const times = all.body.runs.map((r: any) => Date.parse(r.started_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(runs.body.runs.map((r: any) => r.id)).toEqual(all.body.runs.slice(2, 4).map((r: any) => r.id));
  });

  it('answers bad input with a clear 400 or 404, never 500', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/public/health/detail', 400, /target_id is required/],
      ['/public/health/detail?target_id=nope', 404, /Unknown target_id/],
      ['/public/health/detail?target_id=%27%3B--', 404, /Unknown target_id/],
      ['/public/health/runs?target_id=nope', 404, /Unknown target_id/],
      [`/public/health/runs?target_id=${'x'.repeat(500)}`, 404, /Unknown target_id/],
      [`/public/health/runs?target_id=TID&window=2d`, 400, /window must be one of 1h, 24h, 7d/],
      [`/public/health/runs?target_id=TID&page=0`, 400, /page must be at least 1/],
      [`/public/health/runs?target_id=TID&page=-1`, 400, /page must be a positive integer/],
      [`/public/health/runs?target_id=TID&page=abc`, 400, /page must be a positive integer/],
      [`/public/health/runs?target_id=TID&page=1.5`, 400, /page must be a positive integer/],
      [`/public/health/runs?target_id=TID&page_size=10000`, 400, /page_size must be at most 200/],
      [`/public/health/runs?target_id=TID&page_size=ten`, 400, /page_size must be a positive integer/],
      [`/public/health/runs?target_id=TID&page=99999999999999999999`, 400, /page must be at most/],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(path.replace('TID', targetId));
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.body.error.message, path).toMatch(message);
    }
    expect((await get('/public/health/unknown')).status).toBe(404);
    expect((await fetch(`${gw.url}/public/health/summary`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.9.9' } })).status).toBe(405);
  });

  it('allows 60 requests a minute per client IP, then 429 with retry-after; another IP still passes', async () => {
    const ip = '203.0.113.7';
    for (let i = 1; i <= 60; i++) {
      const res = await get('/public/health/summary', ip);
      expect(res.status, `request ${i}`).toBe(200);
    }
    const limited = await get('/public/health/targets', ip);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error.message).toMatch(/Too many requests/);
    expect((await get('/public/health/summary', '203.0.113.8')).status).toBe(200);
    // The first X-Forwarded-For hop is the client.
    expect((await get('/public/health/summary', `${ip}, 10.0.0.1`)).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const plain = await startTestGateway();
    try {
      await setMonitoring(plain, true);
      for (let i = 0; i < 60; i++) await publicGet(plain, '/public/health/summary', { 'x-forwarded-for': `198.51.100.${i}` });
      expect((await publicGet(plain, '/public/health/summary', { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
    } finally {
      await plain.stop();
    }
  });
});
