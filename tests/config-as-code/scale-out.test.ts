import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey } from '../support/admin.js';
import { startGatewayProcess, startTwoInstances, type GatewayProcess, type TwoInstances } from '../scaleout/support.js';
import { waitFor } from '../support/wait.js';

// Two gateway processes on one PostgreSQL database and one Redis: a file applied through one
// is live on the other through the config-change announcement (instances never reload on a timer).
describe('applyConfig on one instance of two', () => {
  let mock: MockUpstream;
  let instances: TwoInstances<GatewayProcess> | undefined;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    mock = await startOpenAIChatMock({ apiKey: 'scaleout-upstream-key-7777' });
    instances = await startTwoInstances('config-as-code', startGatewayProcess, { env: { CAC_SCALEOUT_KEY: 'scaleout-upstream-key-7777' } });
    ({ a, b } = instances);
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await mock?.close();
  });

  test('the other instance serves the applied models without a restart', async () => {
    const { key } = await createKey(b);
    const yaml = `version: 1
providers:
  - name: shared
    type: openai
    baseUrl: ${mock.url}
    apiKey: \${env:CAC_SCALEOUT_KEY}
models:
  - name: applied-on-a
    provider: shared
    upstreamModel: gpt-4o
`;
    const result = await a.admin<{ applyConfig: { plan: { changes: Array<{ action: string }> } } }>(
      'mutation($y: String!){ applyConfig(yaml: $y){ applied plan { changes { action } } } }',
      { y: yaml },
    );
    expect(result.applyConfig.plan.changes).toEqual([{ action: 'create' }, { action: 'create' }]);
    const answer = await waitFor(
      async () => {
        const res = await fetch(`${b.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'applied-on-a', messages: [{ role: 'user', content: 'hi' }] }),
        });
        return res.status === 200 ? await res.json() : undefined;
      },
      { timeoutMs: 15_000, what: 'the applied model on instance B' },
    );
    expect(answer.choices[0].message.content).toBe('Hello from openai-chat: hi');
    expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer scaleout-upstream-key-7777');
  });
});
