/**
 * /v1/embeddings inputs checked by the request-stage guardrails of the key,
 * through the official OpenAI SDK against a real loopback upstream: masked
 * and redacted values never reach it (it asserts on what it received),
 * `block` is a 400 in OpenAI's format with no upstream call, `log` counts,
 * response-stage guardrails and token-id inputs are left alone, and the
 * request log and metrics count the values without holding them.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, createKey, createModel, openaiClient } from '../support/proxy-fixture.js';
import { createGuardrail, logRowOf } from './helpers.js';

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';

let gw: TestGateway;
let mock: MockUpstream;
const keys: Record<string, { id: string; client: OpenAI }> = {};

async function keyWith(name: string, guardrail?: Record<string, unknown>) {
  const created = await createKey(gw, { name });
  if (guardrail) await createGuardrail(gw, { ...guardrail, keyIds: [created.id] });
  keys[name] = { id: created.id, client: openaiClient(gw, created.key) };
}

const received = (from: number) => JSON.stringify(mock.requests.slice(from).map((r) => r.body));

beforeAll(async () => {
  gw = await startTestGateway();
  const added = await addUpstream(gw, 'openai-chat');
  mock = added.mock;
  await createModel(gw, added.providerId, 'embedder', 'text-embedding-3-small', { mode: 'embedding' });
  await keyWith('mask', { name: 'emb-mask', mode: 'MASK', detectors: ['EMAIL', 'PAYMENT_CARD'] });
  await keyWith('redact', { name: 'emb-redact', mode: 'REDACT', detectors: ['EMAIL'] });
  await keyWith('block', { name: 'emb-block', mode: 'BLOCK', detectors: ['SECRET'], words: ['Project Falcon'] });
  await keyWith('log', { name: 'emb-log', mode: 'LOG', detectors: ['EMAIL'] });
  await keyWith('answers-only', { name: 'emb-answers', mode: 'REDACT', stage: 'RESPONSE', detectors: ['EMAIL'] });
  await keyWith('plain');
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

describe('embeddings inputs and request-stage guardrails', () => {
  test('mask replaces values for good in a single input (nothing to restore into a vector)', async () => {
    const from = mock.requests.length;
    const started = new Date();
    const r = await keys.mask.client.embeddings.create({ model: 'embedder', input: `write to ${EMAIL}, card ${CARD}` });
    expect(r.data).toHaveLength(1);
    const sent = received(from);
    expect(sent).not.toContain(EMAIL);
    expect(sent).not.toContain('4111');
    expect(mock.requests.at(-1)!.body.input).toBe('write to [REDACTED_EMAIL], card [REDACTED_CARD]');
    const row = await logRowOf(gw, keys.mask.id, started);
    expect(row.status).toBe(200);
    expect(row.guardrails).toBe('emb-mask:mask:2');
  });

  test('redact works on every text of a list, in order', async () => {
    const r = await keys.redact.client.embeddings.create({ model: 'embedder', input: ['no value here', `mail ${EMAIL}`, `${EMAIL} twice ${EMAIL}`] });
    expect(r.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(mock.requests.at(-1)!.body.input).toEqual(['no value here', 'mail [REDACTED_EMAIL]', '[REDACTED_EMAIL] twice [REDACTED_EMAIL]']);
  });

  test('block refuses with 400 in the OpenAI format naming the guardrail; no upstream call', async () => {
    const from = mock.requests.length;
    const started = new Date();
    const error = await keys.block.client.embeddings.create({ model: 'embedder', input: ['fine', 'all about project falcon'] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ code: 'guardrail_blocked' });
    expect(error.message).toContain('Blocked by guardrail "emb-block"');
    expect(error.message).not.toContain('falcon');
    expect(mock.requests.length).toBe(from);
    const row = await logRowOf(gw, keys.block.id, started);
    expect(row).toMatchObject({ status: 400, attempts: 0, guardrails: 'emb-block:block:1' });
  });

  test('log counts and changes nothing; the metrics count per guardrail', async () => {
    const started = new Date();
    await keys.log.client.embeddings.create({ model: 'embedder', input: `from ${EMAIL}` });
    expect(mock.requests.at(-1)!.body.input).toBe(`from ${EMAIL}`);
    expect((await logRowOf(gw, keys.log.id, started)).guardrails).toBe('emb-log:log:1');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_guardrail_values_total\{guardrail="emb-log",stage="request"\} 1/);
    expect(metrics).toMatch(/gateway_guardrail_requests_total\{guardrail="emb-mask",mode="mask",stage="request"\} 1/);
    expect(metrics).not.toContain(EMAIL);
  });

  test('response-stage guardrails, keys without guardrails and token-id inputs are passed as sent', async () => {
    await keys['answers-only'].client.embeddings.create({ model: 'embedder', input: `to ${EMAIL}` });
    expect(mock.requests.at(-1)!.body.input).toBe(`to ${EMAIL}`);
    await keys.plain.client.embeddings.create({ model: 'embedder', input: `to ${EMAIL}` });
    expect(mock.requests.at(-1)!.body.input).toBe(`to ${EMAIL}`);
    await keys.mask.client.embeddings.create({ model: 'embedder', input: [[1, 2, 3]] });
    expect(mock.requests.at(-1)!.body.input).toEqual([[1, 2, 3]]);
  });
});
