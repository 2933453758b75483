import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTarget, runNow, setMonitoring, TARGET } from '../health/helpers.js';
import { createAlertChannel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream } from '../support/proxy-fixture.js';
import { waitFor } from '../support/wait.js';
import { startHookReceiver } from './receiver.js';

// target_down from health checks (not live traffic): one instance on SQLite, checks run on demand.
describe('target down and recovered from health checks', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  let model: string;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const alerts = () => receiver.on('/webhook/health').filter((h) => h.body.kind === 'target_down');

  beforeAll(async () => {
    gw = await startTestGateway({ ALERTS_INTERVAL_MS: '150' });
    ({ mock, model } = await addUpstream(gw, 'openai-chat', { model: 'gpt-health-alert' }));
    receiver = await startHookReceiver();
    await setMonitoring(gw, true);
    const channel = await createAlertChannel(gw, { name: 'health hook', kind: 'WEBHOOK', url: `${receiver.url}/webhook/health` });
    await gw.admin('mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }', {
      i: { name: 'checked targets', kind: 'TARGET_DOWN', params: { targets: ['Checked'] }, channelIds: [channel], cooldownSeconds: 600 },
    });
    // The rule is read on the next evaluation period.
    await sleep(500);
  });

  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
    await receiver?.close();
  });

  test('three failed checks send one "down"; the first passing check sends one "recovered"', async () => {
    const id = await createTarget(gw, { name: 'Checked', modelName: model, intervalSeconds: 3600 });
    const state = async () => (await gw.admin<{ healthTarget: { state: string } }>(TARGET, { id })).healthTarget.state;

    mock.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 500 }, { type: 'error', status: 500 });
    for (let i = 0; i < 3; i++) expect((await runNow(gw, id)).status).toBe('FAILURE');
    expect(await state()).toBe('DOWN');
    const down = await waitFor(() => alerts().find((h) => h.body.severity === 'critical'), { timeoutMs: 10_000, what: 'the down alert' });
    expect(down.body).toMatchObject({ title: 'Checked is down', labels: { target: 'Checked', state: 'down' } });

    // Still down on a further failure: nothing more is sent.
    mock.enqueue({ type: 'error', status: 500 });
    expect((await runNow(gw, id)).status).toBe('FAILURE');
    await sleep(500);
    expect(alerts()).toHaveLength(1);

    expect((await runNow(gw, id)).status).toBe('SUCCESS');
    const recovered = await waitFor(() => alerts().find((h) => h.body.severity === 'resolved'), { timeoutMs: 10_000, what: 'the recovery alert' });
    expect(recovered.body).toMatchObject({ title: 'Checked recovered', labels: { target: 'Checked', state: 'recovered' } });

    // Degraded → healthy is not a recovery from down: still one of each.
    for (let i = 0; i < 4; i++) expect((await runNow(gw, id)).status).toBe('SUCCESS');
    expect(await state()).toBe('HEALTHY');
    await sleep(500);
    expect(alerts().map((h) => h.body.severity)).toEqual(['critical', 'resolved']);
  });
});
