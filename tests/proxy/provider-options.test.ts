import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
const CREATE = 'mutation($i: CreateProviderInput!){ createProvider(input: $i){ id options } }';

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw?.stop());

const create = async (name: string, type: string, options: unknown) =>
  gw.gql<{ createProvider: { options: unknown } }>(CREATE, { i: { name, type, baseUrl: 'http://127.0.0.1:9/v1', options } }, await gw.adminToken());

test('valid options are stored as given', async () => {
  const options = {
    timeouts: { connectMs: 2000, firstByteMs: 30_000 },
    relay: { instructionsPolicy: 'isolate', upstreamInstructions: 'You are Codex.', droppedFields: ['temperature'] },
  };
  const result = await create('relay-ok', 'codex-relay', options);
  expect(result.errors).toBeUndefined();
  expect(result.data?.createProvider.options).toEqual(options);
});

test.each([
  ['an unknown relay policy', { relay: { instructionsPolicy: 'merge' } }, /options\.relay\.instructionsPolicy/],
  ['a negative timeout', { timeouts: { idleMs: -5 } }, /options\.timeouts\.idleMs/],
  ['an unknown option (a typo)', { timeout: { idleMs: 5 } }, /options/],
  ['a malformed Azure api-version', { apiVersion: 'yesterday' }, /options\.apiVersion/],
])('%s is refused with the field named', async (_label, options, field) => {
  const result = await create(`bad-${Math.random().toString(36).slice(2)}`, 'azure-openai', options);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(result.errors?.[0]?.message).toMatch(field);
  const { providers } = await gw.admin<{ providers: Array<{ name: string }> }>('{ providers { name } }');
  expect(providers.map((p) => p.name).filter((n) => n.startsWith('bad-'))).toEqual([]);
});
