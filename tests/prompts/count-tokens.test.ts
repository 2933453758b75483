import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createPromptRule, createProviderWithModel, createVirtualModel } from '../support/admin.js';

let gw: TestGateway;
let mock: MockUpstream;
let client: Anthropic;

beforeAll(async () => {
  gw = await startTestGateway();
  mock = await startAnthropicMock();
  const { modelId } = await createProviderWithModel(
    gw,
    { name: 'ant', type: 'anthropic', baseUrl: mock.url, apiKey: 'upstream-secret-key' },
    { name: 'claude-x', upstreamModel: 'claude-upstream' },
  );
  const vm = await createVirtualModel(gw, { name: 'claude-routed', strategy: 'FAILOVER', targets: [{ modelId }] });
  await createPromptRule(gw, vm, { kind: 'SET_SYSTEM', text: 'You answer in French.' });
  const { key } = await createKey(gw, { name: 'ct' });
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
