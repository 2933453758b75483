import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createModel, createProvider } from '../support/admin.js';

let gw: TestGateway;
let chat: MockUpstream;
let anthropic: MockUpstream;
let client: OpenAI;
let modelId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  chat = await startOpenAIChatMock();
  anthropic = await startAnthropicMock();
  const p1 = await createProvider(gw, { name: 'chat', type: 'openai', baseUrl: chat.url, apiKey: 'upstream-secret-key' });
  const p2 = await createProvider(gw, { name: 'ant', type: 'anthropic', baseUrl: anthropic.url, apiKey: 'upstream-secret-key' });
  const defaults = { body: { max_tokens: 77, seed: 5 }, headers: { 'X-Team': 'search' } };
  modelId = await createModel(gw, p1, 'with-defaults', 'gpt-4o', { requestDefaults: defaults });
  await createModel(gw, p2, 'claude-defaults', 'claude-x', { requestDefaults: { body: { top_k: 3 } } });
  const { key } = await createKey(gw, { name: 'defaults' });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  await chat?.close();
  await anthropic?.close();
});

test('request defaults fill absent fields and add headers on passthrough; the client still wins', async () => {
  await client.chat.completions.create({ model: 'with-defaults', messages: [{ role: 'user', content: 'hi' }] });
  let seen = chat.requests.at(-1)!;
  expect(seen.body.max_tokens).toBe(77);
  expect(seen.body.seed).toBe(5);
  expect(seen.headers['x-team']).toBe('search');
  await client.chat.completions.create({ model: 'with-defaults', max_tokens: 12, messages: [{ role: 'user', content: 'hi' }] });
  seen = chat.requests.at(-1)!;
  expect(seen.body.max_tokens).toBe(12);
});

test('request defaults apply to translated requests in the upstream format', async () => {
  await client.chat.completions.create({ model: 'claude-defaults', messages: [{ role: 'user', content: 'hi' }] });
  expect(anthropic.requests.at(-1)!.body.top_k).toBe(3);
});

test('malformed request defaults are refused', async () => {
  const result = await gw.gql(
    'mutation($id: ID!, $i: UpdateModelInput!){ updateModel(id: $id, input: $i){ id } }',
    { id: modelId, i: { requestDefaults: { temperature: 1 } } },
    await gw.adminToken(),
  );
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});
