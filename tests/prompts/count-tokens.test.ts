import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';

let gw: TestGateway;
let mock: MockUpstream;
let client: Anthropic;

beforeAll(async () => {
  gw = await startTestGateway();
  mock = await startAnthropicMock();
  const p = await gw.admin('mutation($i: CreateProviderInput!){ createProvider(input: $i){ id } }', {
    i: { name: 'ant', type: 'anthropic', baseUrl: mock.url, apiKey: 'upstream-secret-key' },
  });
  const m = await gw.admin('mutation($i: CreateModelInput!){ createModel(input: $i){ id } }', {
    i: { providerId: p.createProvider.id, name: 'claude-x', upstreamModel: 'claude-upstream' },
  });
  const vm = await gw.admin('mutation($i: CreateVirtualModelInput!){ createVirtualModel(input: $i){ id } }', {
    i: { name: 'claude-routed', strategy: 'FAILOVER', targets: [{ modelId: m.createModel.id }] },
  });
  await gw.admin('mutation($v: ID!, $i: PromptRuleInput!){ createPromptRule(virtualModelId: $v, input: $i){ id } }', {
    v: vm.createVirtualModel.id,
    i: { kind: 'SET_SYSTEM', text: 'You answer in French.' },
  });
  const key = (await gw.admin('mutation{ createVirtualKey(input: { name: "ct" }){ key } }')).createVirtualKey.key;
  client = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

test('count_tokens works for a virtual model and counts what its first target would receive after the rules', async () => {
  const counted = await client.messages.countTokens({ model: 'claude-routed', messages: [{ role: 'user', content: 'Hello' }] });
  expect(counted.input_tokens).toBeGreaterThan(0);
  const seen = mock.requests.at(-1)!;
  expect(seen.url).toBe('/v1/messages/count_tokens');
  expect(seen.body.model).toBe('claude-upstream');
  expect(JSON.stringify(seen.body.system)).toContain('You answer in French.');
});
