import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { addUpstream, createModel, UPSTREAM_KEY } from '../support/proxy-fixture.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createTarget, eventually, publicGet, runNow, setMonitoring, TARGET, type TargetView } from './helpers.js';

const PUBLIC_PATHS = ['/public/health/summary', '/public/health/targets', '/public/health/detail?target_id=x', '/public/health/runs?target_id=x'];

describe('health monitoring: switch, scheduler, runs', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let model: string;
  let providerId: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    ({ mock, model, providerId } = await addUpstream(gw, 'openai-chat', { model: 'gpt-check' }));
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  const runCount = async (id: string) => gw.services.db.healthRun.count({ where: { targetId: id } });
  const monitoringKeys = () => gw.services.db.virtualKey.findMany({ where: { purpose: 'monitoring' } });

  it('while the switch is off: public endpoints answer 404 and the scheduler stays idle', async () => {
    const id = await createTarget(gw, { modelName: model, intervalSeconds: 5 });
    for (const path of PUBLIC_PATHS) {
      const res = await publicGet(gw, path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.message).toBe('Not found');
    }
    expect(gw.services.health.scheduler.isRunning).toBe(false);
    expect(await monitoringKeys()).toHaveLength(0);
    expect((await gw.gql('mutation($id: ID!) { runHealthCheck(id: $id) { id } }', { id }, await gw.adminToken())).errors?.[0].message).toMatch(
      /Monitoring is off/,
    );
    expect(await runCount(id)).toBe(0);
    expect(mock.requests).toHaveLength(0);
    await gw.admin('mutation($id: ID!) { deleteHealthTarget(id: $id) }', { id });
  });

  it('switching on creates one monitoring key (not again on the next switch-on) and the scheduler runs targets through /v1', async () => {
    await setMonitoring(gw, true);
    const keys = await monitoringKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: 'Health monitoring', purpose: 'monitoring', logBodies: false, allowedModels: null, revokedAt: null });
    expect(gw.services.health.scheduler.isRunning).toBe(true);

    const id = await createTarget(gw, { modelName: model, intervalSeconds: 5, checkConfig: { expect: 'hello' } });
    await eventually(
      () => runCount(id),
      (n) => n >= 1,
      'a scheduled run',
    );
    const run = await gw.services.db.healthRun.findFirstOrThrow({ where: { targetId: id } });
    expect(run).toMatchObject({ status: 'success', errorType: null });
    expect(run.latencyMs).toBeGreaterThanOrEqual(0);
    expect(run.ttftMs).not.toBeNull();
    expect(run.ttftMs!).toBeLessThanOrEqual(run.latencyMs!);

    // The check went through the gateway: the upstream saw the check prompt with the provider key, streamed.
    const upstreamCall = mock.requests.find((r) => r.url.includes('/chat/completions'))!;
    expect(upstreamCall.body.messages.at(-1).content).toBe("Say 'OK'");
    expect(upstreamCall.body.stream).toBe(true);
    expect(upstreamCall.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    // … and it is logged under the monitoring key, without bodies.
    await eventually(
      () => gw.services.db.requestLog.findMany({ where: { virtualKeyId: keys[0].id } }),
      (rows) => rows.length >= 1,
      'a request log row of the monitoring key',
    ).then((rows) => expect(rows[0].requestBody).toBeNull());

    await setMonitoring(gw, false);
    expect(gw.services.health.scheduler.isRunning).toBe(false);
    expect((await publicGet(gw, '/public/health/summary')).status).toBe(404);
    await gw.services.health.scheduler.idle();
    const afterOff = await runCount(id);
    await setMonitoring(gw, true);
    expect(await monitoringKeys()).toHaveLength(1);
    expect(afterOff).toBeGreaterThanOrEqual(1);
    expect((await publicGet(gw, '/public/health/summary')).status).toBe(200);
    await gw.admin('mutation($id: ID!) { deleteHealthTarget(id: $id) }', { id });
  });

  it('a failing upstream turns the target down, and it returns to healthy after it recovers', async () => {
    const id = await createTarget(gw, { name: 'Flaky', modelName: model, intervalSeconds: 3600 });
    const state = async () => (await gw.admin<TargetView>(TARGET, { id })).healthTarget;

    mock.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 500 }, { type: 'error', status: 500 });
    const failures = [await runNow(gw, id), await runNow(gw, id), await runNow(gw, id)];
    for (const f of failures) {
      expect(f.status).toBe('FAILURE');
      expect(f.errorType).toBe('http_5xx');
      expect(f.errorMessage).not.toContain(UPSTREAM_KEY);
      expect(f.errorMessage).not.toMatch(/127\.0\.0\.1|http:\/\//);
    }
    expect((await state()).state).toBe('DOWN');

    const first = await runNow(gw, id);
    expect(first.status).toBe('SUCCESS');
    expect((await state()).state).toBe('DEGRADED');
    for (let i = 0; i < 4; i++) expect((await runNow(gw, id)).status).toBe('SUCCESS');
    const healed = await state();
    expect(healed.state).toBe('HEALTHY');
    expect(healed.runs24h).toBe(8);
    expect(healed.availability24h).toBeCloseTo(5 / 8, 6);
    expect(healed.errorDistribution).toEqual([{ errorType: 'http_5xx', count: 3 }]);

    // The public view of the same target carries numbers and nothing private.
    const detail = await publicGet(gw, `/public/health/detail?target_id=${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id, name: 'Flaky', state: 'healthy', availability_24h: 62.5, error_distribution: { http_5xx: 3 } });
    expect(detail.body.recent_runs).toHaveLength(8);
    expect(detail.text).not.toMatch(/sk-gw-|upstream-secret-key|127\.0\.0\.1|baseUrl|base_url/);
  });

  it('classifies a wrong answer as expectation_failed and an upstream 400 as http_4xx', async () => {
    await createModel(gw, providerId, 'gpt-picky', 'gpt-4o');
    const id = await createTarget(gw, { name: 'Picky', modelName: 'gpt-picky', intervalSeconds: 3600, checkConfig: { expect: 'banana' } });
    const wrong = await runNow(gw, id);
    expect(wrong).toMatchObject({ status: 'FAILURE', errorType: 'expectation_failed' });

    mock.enqueue({ type: 'error', status: 400, body: { error: { message: 'bad request', type: 'invalid_request_error' } } });
    await gw.admin('mutation($id: ID!, $i: UpdateHealthTargetInput!) { updateHealthTarget(id: $id, input: $i) { id } }', {
      id,
      i: { checkConfig: {} },
    });
    const bad = await runNow(gw, id);
    expect(bad).toMatchObject({ status: 'FAILURE', errorType: 'http_4xx' });
  });

  it('retention removes runs older than HEALTH_RUN_RETENTION_DAYS', async () => {
    const target = await gw.services.db.healthTarget.findFirstOrThrow();
    const old = await gw.services.db.healthRun.create({
      data: { targetId: target.id, startedAt: new Date(Date.now() - 8 * 86_400_000), status: 'success', latencyMs: 5 },
    });
    const pruner = (gw.services.health as any).pruner;
    expect(pruner.days).toBe(7);
    expect(await pruner.prune()).toBe(1);
    expect(await gw.services.db.healthRun.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await gw.services.db.healthRun.count()).toBeGreaterThan(0);
  });
});
