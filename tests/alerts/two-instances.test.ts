import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deletePrefix } from '../limits/support.js';
import { alertHistoryOf, createAlertChannel, createKey, createProviderWithModel, createVirtualModel, updateKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';
import { startTwoInstances, type TwoInstances } from '../scaleout/support.js';
import { createTeam } from '../teams/support.js';
import { startHookReceiver } from './receiver.js';

// Two gateways on one PostgreSQL database and one Redis: both see the events, one sends.
describe('alerts across two instances (PostgreSQL + Redis)', () => {
  let instances: TwoInstances<TestGateway> | undefined;
  let a: TestGateway;
  let b: TestGateway;
  let upstream: MockUpstream;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const alerts = (kind: string) => receiver.on('/webhook/alerts').filter((h) => h.body.kind === kind);
  const teamAlerts = (team: string) => receiver.on('/webhook/teams').filter((h) => h.body.kind === 'budget' && h.body.labels.team === team);
  const teamIds: string[] = [];
  const budgetAlerts = (key: string) => alerts('budget').filter((h) => h.body.labels.key === key);

  async function chat(gw: TestGateway, key: string, model: string) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return res.status;
  }

  beforeAll(async () => {
    instances = await startTwoInstances('alerts', (env) => startTestGateway(env), {
      env: {
        JWT_SECRET: 'alerts-test-jwt-secret-0123456789abcdefgh',
        ENCRYPTION_KEY: 'alerts-test-encryption-key-0123456789abc',
        ALERTS_INTERVAL_MS: '200',
      },
    });
    ({ a, b } = instances);
    upstream = await startOpenAIChatMock();
    receiver = await startHookReceiver();
    const channel = await createAlertChannel(a, { name: 'ops', kind: 'WEBHOOK', url: `${receiver.url}/webhook/alerts`, secret: 's3cret-signing' });
    const RULE = 'mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }';
    await a.admin(RULE, { i: { name: 'targets', kind: 'TARGET_DOWN', params: {}, channelIds: [channel], cooldownSeconds: 600 } });
    await a.admin(RULE, { i: { name: 'budgets', kind: 'BUDGET', params: { thresholds: [80], keys: ['spender'] }, channelIds: [channel] } });
    const teamChannel = await createAlertChannel(a, { name: 'team-ops', kind: 'WEBHOOK', url: `${receiver.url}/webhook/teams` });
    await a.admin(RULE, { i: { name: 'team-budget', kind: 'BUDGET', params: { thresholds: [50, 80, 100], teams: ['squad'] }, channelIds: [teamChannel] } });
    await a.admin(RULE, { i: { name: 'budget-steps', kind: 'BUDGET', params: { thresholds: [50, 80, 100], keys: ['stepper'] }, channelIds: [channel] } });
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await upstream?.close();
    await receiver?.close();
    for (const id of teamIds) await deletePrefix(`llmgw:limits:{team:${id}}`);
  });

  test('a target going down and coming back: one "down" and one "recovered", whichever instance saw it', async () => {
    const { modelId } = await createProviderWithModel(
      a,
      { name: 'flaky-provider', type: 'openai', baseUrl: upstream.url },
      { name: 'flaky', upstreamModel: 'gpt-4o' },
    );
    await createVirtualModel(a, {
      name: 'flaky-route',
      strategy: 'FAILOVER',
      targets: [{ modelId, priority: 0, weight: 1 }],
      options: { retries: 0, failureThreshold: 2, cooldownMs: 800 },
    });
    const { key } = await createKey(a, { name: 'traffic' });
    await waitFor(async () => (await chat(b, key, 'flaky-route')) === 200, { timeoutMs: 10_000, what: 'the route on instance B' });

    // Two failures on B open the circuit (shared with A over Redis).
    upstream.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 500 });
    expect(await chat(b, key, 'flaky-route')).toBe(500);
    expect(await chat(b, key, 'flaky-route')).toBe(500);
    const down = await waitFor(() => alerts('target_down').find((h) => h.body.severity === 'critical'), { timeoutMs: 10_000, what: 'the down alert' });
    expect(down.body).toMatchObject({ title: 'flaky is down', labels: { model: 'flaky', provider: 'flaky-provider', state: 'down' } });
    // While it cools down, both instances refuse at once; nothing more is sent.
    expect(await chat(a, key, 'flaky-route')).toBe(503);

    // The upstream is back: after the cool-down a probe succeeds and closes the circuit.
    await sleep(900);
    await waitFor(async () => (await chat(a, key, 'flaky-route')) === 200, { timeoutMs: 10_000, what: 'the route answering again' });
    const recovered = await waitFor(() => alerts('target_down').find((h) => h.body.severity === 'resolved'), { timeoutMs: 10_000, what: 'the recovery alert' });
    expect(recovered.body).toMatchObject({ title: 'flaky recovered', labels: { state: 'recovered' } });

    // Several evaluation periods later: still exactly one of each, from one instance.
    await sleep(1_500);
    expect(alerts('target_down').map((h) => h.body.severity)).toEqual(['critical', 'resolved']);
    const history = await alertHistoryOf(b, 'targets');
    expect(history.map((e: { severity: string }) => e.severity)).toEqual(['resolved', 'critical']);
    expect(history.every((e: { deliveries: Array<{ ok: boolean }> }) => e.deliveries.length === 1 && e.deliveries[0].ok)).toBe(true);
  });

  test('a key crossing 80 % of its budget: one alert, whichever instance served the requests', async () => {
    const { modelId } = await createProviderWithModel(
      a,
      { name: 'priced-provider', type: 'openai', baseUrl: upstream.url },
      { name: 'priced', upstreamModel: 'gpt-4o', inputPrice: 0.001, outputPrice: 0.002 },
    );
    expect(modelId).toBeTruthy();
    const { key, id } = await createKey(a, { name: 'spender', budgetUsd: 1000 });
    await waitFor(async () => (await chat(a, key, 'priced')) === 200, { timeoutMs: 10_000, what: 'the first request' });
    const perRequest = await waitFor(async () => (await a.services.limits.state({ id })).periodSpendUsd || undefined, { what: 'the first spend' });
    // After one request the key is at 45 % of the new budget; the second takes it to 90 %.
    await updateKey(a, id, { budgetUsd: perRequest / 0.45 });
    await sleep(600);
    expect(alerts('budget')).toEqual([]);
    await waitFor(async () => (await chat(b, key, 'priced')) === 200, { timeoutMs: 10_000, what: 'the second request on B' });
    const alert = await waitFor(() => alerts('budget')[0], { timeoutMs: 10_000, what: 'the budget alert' });
    expect(alert.body).toMatchObject({
      severity: 'warning',
      title: 'Key spender reached 80% of its budget',
      labels: { key: 'spender', keyId: id, threshold: 80 },
    });
    await sleep(1_500);
    expect(budgetAlerts('spender')).toHaveLength(1);
  });

  test('50, 80 and 100 % with spend made on both instances: exactly one alert per threshold', async () => {
    const { key, id } = await createKey(a, { name: 'stepper', budgetUsd: 1000 });
    await waitFor(async () => (await chat(a, key, 'priced')) === 200, { timeoutMs: 10_000, what: 'the first request on A' });
    const perRequest = await waitFor(async () => (await a.services.limits.state({ id })).periodSpendUsd || undefined, { what: 'the first spend' });
    // Each request is 30 % of the new budget: 30 % now, then 60 % (B), 90 % (A), 120 % (B).
    await updateKey(a, id, { budgetUsd: perRequest / 0.3 });
    await sleep(600);
    expect(budgetAlerts('stepper')).toEqual([]);

    const steps: Array<[TestGateway, number, string]> = [
      [b, 50, 'warning'],
      [a, 80, 'warning'],
      [b, 100, 'critical'],
    ];
    for (const [gw, threshold, severity] of steps) {
      expect(await chat(gw, key, 'priced')).toBe(200);
      const alert = await waitFor(() => budgetAlerts('stepper').find((h) => h.body.labels.threshold === threshold), {
        timeoutMs: 10_000,
        what: `the ${threshold} % alert`,
      });
      expect(alert.body).toMatchObject({ severity, title: `Key stepper reached ${threshold}% of its budget`, labels: { keyId: id } });
      // Both instances evaluate several times more; no threshold is sent twice.
      await sleep(1_000);
      expect(budgetAlerts('stepper').map((h) => h.body.labels.threshold)).toEqual(
        steps.slice(0, steps.findIndex((s) => s[1] === threshold) + 1).map((s) => s[1]),
      );
    }
    // Over the budget, further requests are refused on either instance and nothing more is sent.
    expect(await chat(a, key, 'priced')).not.toBe(200);
    expect(await chat(b, key, 'priced')).not.toBe(200);
    await sleep(1_000);
    expect(budgetAlerts('stepper')).toHaveLength(3);
    const history = await alertHistoryOf(b, 'budget-steps');
    expect(history.map((e: { severity: string }) => e.severity)).toEqual(['critical', 'warning', 'warning']);
  });

  test("a team's budget: 50, 80 and 100 % once each, its keys spending on both instances", async () => {
    const teamId = await createTeam(a, { name: 'squad', budgetUsd: 1000 });
    teamIds.push(teamId);
    const [one, two] = [await createKey(a, { name: 'squad-a', teamId }), await createKey(a, { name: 'squad-b', teamId })];
    await waitFor(async () => (await chat(a, one.key, 'priced')) === 200, { timeoutMs: 10_000, what: 'the first team request' });
    const perRequest = await waitFor(async () => (await a.services.limits.teamState({ id: teamId })).periodSpendUsd || undefined, { what: 'the team spend' });
    await a.admin('mutation($id: ID!, $i: UpdateTeamInput!){ updateTeam(id: $id, input: $i){ id } }', { id: teamId, i: { budgetUsd: perRequest / 0.3 } });
    await sleep(600);
    expect(teamAlerts('squad')).toEqual([]);

    const steps: Array<[TestGateway, string, number]> = [
      [b, two.key, 50],
      [a, one.key, 80],
      [b, two.key, 100],
    ];
    for (const [gw, key, threshold] of steps) {
      await waitFor(async () => (await chat(gw, key, 'priced')) === 200, { timeoutMs: 10_000, what: `the request towards ${threshold} %` });
      const alert = await waitFor(() => teamAlerts('squad').find((h) => h.body.labels.threshold === threshold), {
        timeoutMs: 10_000,
        what: `the team's ${threshold} % alert`,
      });
      expect(alert.body).toMatchObject({ title: `Team squad reached ${threshold}% of its budget`, labels: { teamId } });
    }
    await sleep(1_500);
    expect(teamAlerts('squad').map((h) => h.body.labels.threshold)).toEqual([50, 80, 100]);
  });
});
