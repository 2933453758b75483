import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deletePrefix } from '../limits/support.js';
import { createKey } from '../support/admin.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { skipUnlessServices } from '../support/services.js';
import { waitFor } from '../support/wait.js';
import { chatRequest, setupPricedModel, startGatewayProcess, startTwoInstances, type GatewayProcess, type TwoInstances } from '../scaleout/support.js';
import { createTeam } from './support.js';

const skip = await skipUnlessServices('Team limits on two instances', { postgres: true, redis: true });

/** The mock's default usage (12 in, 8 out) at the priced model's rates. */
const COST = 12 * 0.001 + 8 * 0.002;

// Two gateway processes on one PostgreSQL database and one Redis: a team's budget and RPM hold across both.
(skip ? describe.skip : describe)('team limits across two gateway processes', () => {
  let instances: TwoInstances<GatewayProcess> | undefined;
  let mock: MockUpstream;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const teamIds: string[] = [];

  beforeAll(async () => {
    mock = await startOpenAIChatMock();
    instances = await startTwoInstances('teams-two', startGatewayProcess);
    ({ a, b } = instances);
    await setupPricedModel(a, mock.url);
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await mock?.close();
    for (const id of teamIds) await deletePrefix(`llmgw:limits:{team:${id}}`);
  });

  const visibleOn = (gw: GatewayProcess, key: string) =>
    waitFor(async () => ((await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'key on the other instance',
    });

  test('a team budget stops all of its keys on both instances at the limit', async () => {
    const teamId = await createTeam(a, { name: 'shared-budget', budgetUsd: COST * 3.5, budgetPeriod: 'total' });
    teamIds.push(teamId);
    const keys = [await createKey(a, { teamId }), await createKey(a, { teamId })];
    for (const k of keys) await visibleOn(b, k.key);
    // Alternate instances and keys; each answer's cost lands in Redis before the next request goes.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await chatRequest(i % 2 ? b.url : a.url, keys[Math.floor(i / 2) % 2].key);
      statuses.push(res.status);
      const body = (await res.json()) as { error?: { message: string } };
      if (res.status === 429) expect(body.error?.message).toMatch(/Budget exceeded for team "shared-budget"/);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Four requests fit under 3.5 answers' cost (admitted while spend < budget), then every key stops on every instance.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    const team = await b.admin<{ team: { limitState: { totalSpendUsd: number } } }>('query($id: ID!) { team(id: $id) { limitState { totalSpendUsd } } }', {
      id: teamId,
    });
    expect(team.team.limitState.totalSpendUsd).toBeCloseTo(COST * 4, 10);
    // Spend reaches the database in the background.
    await waitFor(
      async () => {
        const r = await a.admin<{ team: { spendUsd: number } }>('query($id: ID!) { team(id: $id) { spendUsd } }', { id: teamId });
        return Math.abs(r.team.spendUsd - COST * 4) < 1e-9 ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'team spend saved' },
    );
  });

  test('a team RPM holds exactly under concurrent load over both instances and several keys', async () => {
    const teamId = await createTeam(a, { name: 'shared-rpm', rpmLimit: 10 });
    teamIds.push(teamId);
    const keys = [await createKey(a, { teamId }), await createKey(a, { teamId }), await createKey(a, { teamId })];
    for (const k of keys) await visibleOn(b, k.key);
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => chatRequest(i % 2 ? b.url : a.url, keys[i % 3].key)));
    const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, text: await r.text() })));
    expect(bodies.filter((r) => r.status === 200)).toHaveLength(10);
    const refused = bodies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(20);
    const messages = refused.map((r) => (JSON.parse(r.text) as { error: { message: string } }).error.message);
    expect(messages.every((m) => m.startsWith('Rate limit reached for team "shared-rpm": 10 requests per minute'))).toBe(true);
  }, 90_000);
});
