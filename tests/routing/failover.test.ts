import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createProviderWithModel } from '../support/admin.js';
import { freePort } from '../support/mock-upstreams/serve.js';

const CREATE_VM = 'mutation($i: CreateVirtualModelInput!){ createVirtualModel(input: $i){ id name targets { modelId state } } }';

let gw: TestGateway;
let primary: MockUpstream;
let secondary: MockUpstream;
let key: string;
const ids: Record<string, string> = {};

async function addModel(name: string, providerType: string, baseUrl: string, options?: Record<string, unknown>) {
  const { modelId } = await createProviderWithModel(
    gw,
    { name: `p-${name}`, type: providerType, baseUrl, apiKey: 'upstream-secret-key', options },
    { name, upstreamModel: `${name}-upstream` },
  );
  ids[name] = modelId;
}

async function route(name: string, strategy: string, targets: Array<[string, number, number]>, options?: object) {
  return gw.admin(CREATE_VM, {
    i: { name, strategy, targets: targets.map(([m, weight, priority]) => ({ modelId: ids[m], weight, priority })), options },
  });
}

beforeAll(async () => {
  gw = await startTestGateway();
  primary = await startOpenAIChatMock();
  secondary = await startAnthropicMock();
  await addModel('primary', 'openai', primary.url);
  await addModel('secondary', 'anthropic', secondary.url);
  await addModel('dead', 'openai', `http://127.0.0.1:${await freePort()}/v1`);
  await addModel('slow', 'openai', primary.url, { timeouts: { firstByteMs: 300 } });
  key = (await createKey(gw, { name: 'routing' })).key;
});

afterAll(async () => {
  await gw?.stop();
  await primary?.close();
  await secondary?.close();
});

const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
const ask = (model: string) => openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });

async function lastLog() {
  // The recorder fans out synchronously; read the in-memory record through a one-shot listener.
  return new Promise<any>((resolve) => {
    const off = gw.services.recorder.subscribe((r) => {
      off();
      resolve(r);
    });
  });
}

describe('virtual models over real upstreams', () => {
  test('FAILOVER moves to the next target when the first returns 500, and records the target and attempts', async () => {
    await route(
      'fo-500',
      'FAILOVER',
      [
        ['primary', 1, 0],
        ['secondary', 1, 1],
      ],
      { retries: 2, failureThreshold: 100 },
    );
    primary.enqueue({ type: 'error', status: 500 });
    const logged = lastLog();
    const answer = await ask('fo-500');
    expect(answer.choices[0].message.content).toBe('Hello from anthropic: hello');
    const record = await logged;
    expect(record.requestedModel).toBe('fo-500');
    expect(record.targetModel).toBe('secondary-upstream');
    expect(record.attempts).toBe(2);
  });

  test('fails over on refused connections and on timeouts', async () => {
    await route(
      'fo-dead',
      'FAILOVER',
      [
        ['dead', 1, 0],
        ['primary', 1, 1],
      ],
      { failureThreshold: 100 },
    );
    expect((await ask('fo-dead')).choices[0].message.content).toBe('Hello from openai-chat: hello');
    await route(
      'fo-slow',
      'FAILOVER',
      [
        ['slow', 1, 0],
        ['secondary', 1, 1],
      ],
      { failureThreshold: 100 },
    );
    primary.enqueue({ type: 'hang' });
    expect((await ask('fo-slow')).choices[0].message.content).toBe('Hello from anthropic: hello');
  });

  test('the attempt timeout bounds the wait for an answer, not a long stream after it', async () => {
    await route('long-stream', 'FAILOVER', [['primary', 1, 0]], { attemptTimeoutMs: 300, retries: 0, failureThreshold: 100 });
    primary.enqueue({ type: 'text', text: 'one two three four five six seven eight', chunks: 8, chunkDelayMs: 80 });
    const stream = openai().chat.completions.stream({ model: 'long-stream', messages: [{ role: 'user', content: 'hi' }] });
    const started = Date.now();
    const final = await stream.finalChatCompletion();
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(final.choices[0].message.content).toBe('one two three four five six seven eight');
  });

  test('429 with retry-after on the only target is retried after the wait', async () => {
    await route('single-429', 'FAILOVER', [['primary', 1, 0]], { retries: 1, backoffMs: 10, failureThreshold: 100 });
    primary.enqueue({ type: 'error', status: 429, headers: { 'retry-after': '1' } });
    const started = Date.now();
    expect((await ask('single-429')).choices[0].message.content).toBe('Hello from openai-chat: hello');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a 400 caused by the request is not retried', async () => {
    await route(
      'no-retry-400',
      'FAILOVER',
      [
        ['primary', 1, 0],
        ['secondary', 1, 1],
      ],
      { failureThreshold: 100 },
    );
    const before = secondary.requests.length;
    primary.enqueue({ type: 'error', status: 400 });
    await expect(ask('no-retry-400')).rejects.toMatchObject({ status: 400 });
    expect(secondary.requests.length).toBe(before);
  });

  test('streams fail over before the first byte', async () => {
    await route(
      'fo-stream',
      'FAILOVER',
      [
        ['primary', 1, 0],
        ['secondary', 1, 1],
      ],
      { failureThreshold: 100 },
    );
    primary.enqueue({ type: 'error', status: 503 });
    const stream = openai().chat.completions.stream({ model: 'fo-stream', messages: [{ role: 'user', content: 'hi' }] });
    expect((await stream.finalChatCompletion()).choices[0].message.content).toBe('Hello from anthropic: hi');
  });

  test('after the first byte, a failure is an in-stream error in the client format, without failover', async () => {
    await route(
      'fo-midstream',
      'FAILOVER',
      [
        ['primary', 1, 0],
        ['secondary', 1, 1],
      ],
      { failureThreshold: 100 },
    );
    primary.enqueue({ type: 'drop_mid_stream', text: 'partial answer that will be cut off' });
    const before = secondary.requests.length;
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: 'fo-midstream', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(secondary.requests.length).toBe(before);
  });

  test('LOAD_BALANCE spreads requests by weight', async () => {
    await route('lb', 'LOAD_BALANCE', [
      ['primary', 3, 0],
      ['secondary', 1, 0],
    ]);
    const p0 = primary.requests.length;
    const s0 = secondary.requests.length;
    for (let i = 0; i < 80; i++) await ask('lb');
    const p = primary.requests.length - p0;
    const s = secondary.requests.length - s0;
    expect(p + s).toBe(80);
    expect(p).toBeGreaterThan(s); // weights are checked exactly in the unit test; here, that both serve and 3:1 leans right
    expect(s).toBeGreaterThan(0);
  });

  test('a failing target cools down (visible in GraphQL) and requests skip it', async () => {
    await route(
      'cool',
      'FAILOVER',
      [
        ['dead', 1, 0],
        ['secondary', 1, 1],
      ],
      { failureThreshold: 2, cooldownMs: 60_000 },
    );
    await ask('cool');
    await ask('cool');
    type Listed = { virtualModels: Array<{ name: string; targets: Array<{ modelId: string; state: string; cooldownUntil: string }> }> };
    const { virtualModels } = await gw.admin<Listed>('{ virtualModels { name targets { modelId state cooldownUntil } } }');
    const dead = virtualModels.find((v) => v.name === 'cool')?.targets.find((t) => t.modelId === ids.dead);
    expect(dead?.state).toBe('OPEN');
    expect(new Date(dead!.cooldownUntil).getTime()).toBeGreaterThan(Date.now());
    const logged = lastLog();
    await ask('cool');
    expect((await logged).attempts).toBe(1); // the cooled-down target was not tried
  });

  test('virtual models appear in /v1/models', async () => {
    const list = await openai().models.list();
    expect(list.data.map((m) => m.id)).toContain('lb');
  });
});

describe('virtual model validation', () => {
  const attempt = async (input: object) => gw.gql(CREATE_VM, { i: input }, await gw.adminToken());

  test('no targets, unknown or deleted model, negative weight, cycle, clash with a model name', async () => {
    const noTargets = await attempt({ name: 'x1', strategy: 'FAILOVER', targets: [] });
    expect(noTargets.errors?.[0]?.message).toMatch(/at least one target/);
    const unknown = await attempt({ name: 'x2', strategy: 'FAILOVER', targets: [{ modelId: 'nope' }] });
    expect(unknown.errors?.[0]?.message).toMatch(/no such model/);
    const negative = await attempt({ name: 'x3', strategy: 'LOAD_BALANCE', targets: [{ modelId: ids.primary, weight: -1 }] });
    expect(negative.errors?.[0]?.message).toMatch(/weight.*negative/);
    const self = await attempt({ name: 'x4', strategy: 'FAILOVER', targets: [{ modelId: 'x4' }] });
    expect(self.errors?.[0]?.message).toMatch(/route cycle/);
    const vm = await gw.admin<{ virtualModels: Array<{ id: string }> }>('{ virtualModels { id name } }');
    const other = vm.virtualModels[0];
    const cycle = await attempt({ name: 'x5', strategy: 'FAILOVER', targets: [{ modelId: other.id }] });
    expect(cycle.errors?.[0]?.message).toMatch(/route cycle/);
    const clash = await attempt({ name: 'primary', strategy: 'FAILOVER', targets: [{ modelId: ids.secondary }] });
    expect(clash.errors?.[0]?.message).toMatch(/already the name of a model/);
  });

  test('a target whose model is deleted drops out of the route', async () => {
    await addModel('temp', 'openai', primary.url);
    await route('with-temp', 'FAILOVER', [
      ['temp', 1, 0],
      ['secondary', 1, 1],
    ]);
    await gw.admin('mutation($id: ID!){ deleteModel(id: $id) }', { id: ids.temp });
    expect((await ask('with-temp')).choices[0].message.content).toBe('Hello from anthropic: hello');
  });
});

describe('circuit state in /metrics', () => {
  test('an open circuit shows as 2 for its target', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/gateway_circuit_state\{target="dead",provider="p-dead"\} 2/);
  });
});
