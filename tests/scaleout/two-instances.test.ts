import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deletePrefix } from '../limits/support.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { skipUnlessServices } from '../support/services.js';
import { createKey, createModel, createProviderWithModel, createVirtualModel } from '../support/admin.js';
import { chatRequest, setupPricedModel, startGatewayProcess, startTwoInstances, type GatewayProcess, type TwoInstances } from './support.js';
import { waitFor } from '../support/wait.js';
import { freePort } from '../support/mock-upstreams/serve.js';

const skip = await skipUnlessServices('Two-instance scale-out tests', { postgres: true, redis: true });

// Two gateway processes on one PostgreSQL database and one Redis, as in docker-compose.yml.
(skip ? describe.skip : describe)('two gateway processes on PostgreSQL and Redis', () => {
  let instances: TwoInstances<GatewayProcess> | undefined;
  let mock: MockUpstream;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let modelId: string;
  const limitKeyIds: string[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    mock = await startOpenAIChatMock();
    instances = await startTwoInstances('two-instances', startGatewayProcess);
    ({ a, b } = instances);
    ({ modelId } = await setupPricedModel(a, mock.url));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await instances?.stop();
    await mock?.close();
    for (const id of limitKeyIds) await deletePrefix(`llmgw:limits:{${id}}`);
  });

  const keyVisibleOn = (gw: GatewayProcess, key: string) =>
    waitFor(async () => ((await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'key on the other instance',
    });

  // The change travels over Redis pub/sub (README: well under a second when idle); on a
  // loaded machine it may take longer, so this waits on the condition. Instances do not
  // reload on a timer, so only the announcement can carry the change.
  test('a config change on one instance is live on the other', async () => {
    const { key } = await createKey(a);
    await keyVisibleOn(b, key);
    const started = Date.now();
    await createModel(a, (await a.admin<{ providers: Array<{ id: string }> }>('{ providers { id } }')).providers[0].id, 'added-later', 'gpt-4o');
    const listed = await waitFor(
      async () => {
        const body = (await (await fetch(`${b.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: Array<{ id: string }> };
        return body.data.some((m) => m.id === 'added-later') ? Date.now() - started : undefined;
      },
      { timeoutMs: 10_000, what: 'the new model on instance B' },
    );
    expect(listed).toBeLessThan(10_000);
    // And a request through B uses it.
    expect((await chatRequest(b.url, key, 'added-later')).status).toBe(200);
  });

  test('one RPM limit holds exactly under concurrent load spread over both', async () => {
    const { key, id } = await createKey(a, { rpmLimit: 10 });
    limitKeyIds.push(id);
    await keyVisibleOn(b, key);
    // Windows are calendar minutes: keep the burst away from a minute boundary.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => chatRequest(i % 2 ? b.url : a.url, key)));
    await Promise.all(responses.map((r) => r.text()));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(20);
    // Both instances served some of the ten.
    const served = (gw: number) => responses.filter((r, i) => i % 2 === gw && r.status === 200).length;
    expect(served(0) + served(1)).toBe(10);
  });

  test('a subscription on one instance receives requestLogged from the other', async () => {
    const token = await b.adminToken();
    const client = createClient({
      url: `${b.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const events: any[] = [];
    const errors: unknown[] = [];
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe(
      { query: 'subscription { requestLogged { requestedModel keyId status createdAt } }' },
      { next: (v: any) => (v.errors ? errors.push(...v.errors) : events.push(v.data.requestLogged)), error: (e) => errors.push(e), complete: () => {} },
    );
    await subscribed;
    const { key, id } = await createKey(a);
    // The Redis SUBSCRIBE behind the subscription completes on its own time: send requests
    // until one is seen on B rather than guess how long that takes.
    const event = await waitFor(
      async () => {
        expect((await chatRequest(a.url, key)).status).toBe(200);
        const deadline = Date.now() + 500;
        while (Date.now() < deadline) {
          const seen = events.find((e) => e.keyId === id);
          if (seen) return seen;
          await new Promise((r) => setTimeout(r, 25));
        }
        return undefined;
      },
      { timeoutMs: 10_000, what: 'requestLogged on instance B' },
    );
    expect(errors).toEqual([]);
    expect(event).toMatchObject({ requestedModel: 'gpt-x', status: 200 });
    expect(Number.isNaN(new Date(event.createdAt).getTime())).toBe(false);
  });

  test('a target one instance cools down is cooled down on the other', async () => {
    const deadPort = await freePort();
    const { modelId: dead } = await createProviderWithModel(
      a,
      { name: 'dead-provider', type: 'openai', baseUrl: `http://127.0.0.1:${deadPort}/v1`, apiKey: 'upstream-secret-key' },
      { name: 'dead', upstreamModel: 'x' },
    );
    await createVirtualModel(a, {
      name: 'cool',
      strategy: 'FAILOVER',
      targets: [
        { modelId: dead, weight: 1, priority: 0 },
        { modelId, weight: 1, priority: 1 },
      ],
      options: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    const { key } = await createKey(a);
    await keyVisibleOn(b, key);
    const stateOn = async (gw: GatewayProcess) => {
      type Listed = { virtualModels: Array<{ name: string; targets: Array<{ modelId: string; state: string; cooldownUntil: string | null }> }> };
      const { virtualModels } = await gw.admin<Listed>('{ virtualModels { name targets { modelId state cooldownUntil } } }');
      return virtualModels.find((v) => v.name === 'cool')?.targets.find((t) => t.modelId === dead);
    };
    expect((await stateOn(b))?.state).toBe('CLOSED');
    for (let i = 0; i < 2; i++) expect((await chatRequest(a.url, key, 'cool')).status).toBe(200);
    const onA = await stateOn(a);
    expect(onA?.state).toBe('OPEN');
    const onB = await waitFor(async () => ((await stateOn(b))?.state === 'OPEN' ? stateOn(b) : undefined), {
      timeoutMs: 10_000,
      what: 'the open circuit on instance B',
    });
    expect(onB.cooldownUntil).toBe(onA?.cooldownUntil);
  });
});
