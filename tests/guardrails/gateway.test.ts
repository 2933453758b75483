/**
 * Guardrails through the real gateway, with the official SDKs of all three
 * client APIs, to three upstream wire formats (OpenAI chat, Anthropic, Responses), streamed
 * and not: masked values never reach the mock upstreams (each asserts on what
 * it received) and come back restored in text and tool-call arguments;
 * `redact`, `block` (400 in the caller's format, no upstream call) and `log`
 * as documented; response-stage checks; guardrails on a virtual model; the
 * request log column and the Prometheus counters; GraphQL validation and
 * the preview.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { createVirtualModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, anthropicClient, createKey, openaiClient, type UpstreamKind } from '../support/proxy-fixture.js';
import { APIS, ask, createGuardrail, logRowOf, type Clients } from './helpers.js';

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const PHONE = '+86 138 0013 8000';
const USER = `Please write to ${EMAIL} about card ${CARD}, or call ${PHONE}.`;
const UPSTREAMS: UpstreamKind[] = ['openai-chat', 'anthropic', 'openai-responses'];

let gw: TestGateway;
const mocks = {} as Record<UpstreamKind, MockUpstream>;
const models = {} as Record<UpstreamKind, string>;
const keys: Record<string, { key: string; id: string; clients: Clients }> = {};

async function keyFor(name: string): Promise<{ key: string; id: string; clients: Clients }> {
  const created = await createKey(gw, { name });
  keys[name] = { ...created, clients: { openai: openaiClient(gw, created.key), anthropic: anthropicClient(gw, created.key) } };
  return keys[name];
}

/** Everything a mock received since `from`, as one JSON text. */
const receivedSince = (mock: MockUpstream, from: number) => JSON.stringify(mock.requests.slice(from).map((r) => r.body));

beforeAll(async () => {
  gw = await startTestGateway();
  for (const kind of UPSTREAMS) {
    const added = await addUpstream(gw, kind);
    mocks[kind] = added.mock;
    models[kind] = added.model;
  }
  const pii = await keyFor('pii');
  await createGuardrail(gw, {
    name: 'pii-mask',
    mode: 'MASK',
    detectors: ['EMAIL', 'PHONE', 'PAYMENT_CARD', 'IBAN', 'CN_RESIDENT_ID', 'IP_ADDRESS'],
    keyIds: [pii.id],
  });
  const redact = await keyFor('redact');
  await createGuardrail(gw, { name: 'pii-redact', mode: 'REDACT', detectors: ['EMAIL', 'PAYMENT_CARD'], keyIds: [redact.id] });
  const block = await keyFor('block');
  await createGuardrail(gw, { name: 'no-secrets', mode: 'BLOCK', detectors: ['SECRET'], words: ['Project Falcon'], keyIds: [block.id] });
  const log = await keyFor('log');
  await createGuardrail(gw, { name: 'watch-mail', mode: 'LOG', detectors: ['EMAIL'], keyIds: [log.id] });
  const answer = await keyFor('answer');
  await createGuardrail(gw, { name: 'answer-redact', mode: 'REDACT', stage: 'RESPONSE', detectors: ['EMAIL'], keyIds: [answer.id] });
  const answerBlock = await keyFor('answer-block');
  await createGuardrail(gw, { name: 'answer-secrets', mode: 'BLOCK', stage: 'RESPONSE', detectors: ['SECRET'], keyIds: [answerBlock.id] });
});

afterAll(async () => {
  await gw?.stop();
  for (const mock of Object.values(mocks)) await mock?.close();
});

describe('mask: values never reach the upstream, and come back restored', () => {
  const cases = APIS.flatMap((api) => UPSTREAMS.flatMap((upstream) => [false, true].map((stream) => ({ api, upstream, stream }))));
  test.each(cases)('$api → $upstream, stream $stream', async ({ api, upstream, stream }) => {
    const mock = mocks[upstream];
    const from = mock.requests.length;
    const started = new Date();
    const answer = await ask(keys.pii.clients, api, models[upstream], USER, { stream, system: `Known contact: ${EMAIL}`, toolResult: `found ${PHONE}` });
    const sent = receivedSince(mock, from);
    for (const value of [EMAIL, CARD, PHONE]) expect(sent).not.toContain(value);
    expect(sent).toContain('[EMAIL_1]');
    expect(sent).toContain('[CARD_1]');
    expect(sent).toContain('[PHONE_1]'); // in the tool result
    // The mocks echo what they saw (placeholders): the chat mock the last user text, the
    // Anthropic mock the tool result (it shares the last user turn); the client gets its own values back.
    if (upstream !== 'anthropic') expect(answer.text).toContain(`Please write to ${EMAIL} about card ${CARD}, or call ${PHONE}.`);
    else expect(answer.text).toBe(`Tool said: found ${PHONE}`);
    expect(answer.text).not.toMatch(/\[[A-Z_]+_\d+\]/);
    const row = await logRowOf(gw, keys.pii.id, started);
    expect(row.guardrails).toBe('pii-mask:mask:5'); // system 1, user 3, tool result 1
  });

  test.each(APIS.flatMap((api) => [false, true].map((stream) => ({ api, stream }))))(
    'tool-call arguments are restored ($api, stream $stream)',
    async ({ api, stream }) => {
      const mock = mocks[api === 'messages' ? 'anthropic' : 'openai-chat'];
      mock.enqueue({ type: 'tool_call', name: 'send_mail', arguments: { to: '[EMAIL_1]', cc: '[EMAIL_9]' } });
      const answer = await ask(keys.pii.clients, api, models[api === 'messages' ? 'anthropic' : 'openai-chat'], `mail ${EMAIL}`, { stream, tools: true });
      expect(JSON.parse(answer.toolArguments!)).toEqual({ to: EMAIL, cc: '[EMAIL_9]' });
    },
  );
});

describe('redact, block and log', () => {
  test.each(APIS)('redact replaces values for good (%s)', async (api) => {
    const mock = mocks['openai-chat'];
    const from = mock.requests.length;
    const answer = await ask(keys.redact.clients, api, models['openai-chat'], USER);
    const sent = receivedSince(mock, from);
    expect(sent).not.toContain(EMAIL);
    expect(sent).toContain('[REDACTED_EMAIL]');
    expect(sent).toContain('[REDACTED_CARD]');
    expect(answer.text).toContain('[REDACTED_EMAIL]');
  });

  test("block: 400 in each caller's format naming the guardrail, no upstream call, logged", async () => {
    const mock = mocks['openai-chat'];
    const from = mock.requests.length;
    const started = new Date();
    const secret = 'use key sk-proj-abcdefghijklmnopqrstuvwxyz123456';
    const chat = await keys.block.clients.openai.chat.completions
      .create({ model: models['openai-chat'], messages: [{ role: 'user', content: secret }] })
      .catch((e) => e);
    expect(chat).toBeInstanceOf(OpenAI.APIError);
    expect(chat.status).toBe(400);
    expect(chat.code).toBe('guardrail_blocked');
    expect(chat.message).toContain('Blocked by guardrail "no-secrets": the request contains 1 SECRET');
    const responses = await keys.block.clients.openai.responses
      .create({ model: models['openai-chat'], input: 'all about Project Falcon', stream: true })
      .catch((e) => e);
    expect(responses).toBeInstanceOf(OpenAI.APIError);
    expect(responses.status).toBe(400);
    expect(responses.message).toContain('"no-secrets": the request contains 1 WORD');
    const messages = await keys.block.clients.anthropic.messages
      .create({ model: models.anthropic, max_tokens: 10, messages: [{ role: 'user', content: secret }] })
      .catch((e) => e);
    expect(messages).toBeInstanceOf(Anthropic.BadRequestError);
    expect(messages.error.error.type).toBe('invalid_request_error');
    expect(messages.error.error.message).toContain('no-secrets');
    expect(mock.requests.length).toBe(from);
    expect(mocks.anthropic.requests.map((r) => JSON.stringify(r.body)).join()).not.toContain('sk-proj-abcdefghij');
    const row = await logRowOf(gw, keys.block.id, started);
    expect(row.status).toBe(400);
    expect(row.attempts).toBe(0);
    expect(row.guardrails).toMatch(/^no-secrets:block:1$/);
    // Text without a secret goes through.
    expect((await ask(keys.block.clients, 'chat-completions', models['openai-chat'], 'nothing to see')).text).toContain('nothing to see');
  });

  test('log: the request goes unchanged, the log row and metrics count it', async () => {
    const mock = mocks.anthropic;
    const from = mock.requests.length;
    const started = new Date();
    const answer = await ask(keys.log.clients, 'messages', models.anthropic, `mail ${EMAIL} and a@b.io`, { stream: true });
    expect(receivedSince(mock, from)).toContain(EMAIL);
    expect(answer.text).toContain(EMAIL);
    expect((await logRowOf(gw, keys.log.id, started)).guardrails).toBe('watch-mail:log:2');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_guardrail_values_total\{guardrail="watch-mail",stage="request"\} [1-9]/);
    expect(metrics).toMatch(/gateway_guardrail_requests_total\{guardrail="pii-mask",mode="mask",stage="request"\} [1-9]/);
  });
});

describe('response stage', () => {
  test.each(APIS.flatMap((api) => [false, true].map((stream) => ({ api, stream }))))('redact in answers ($api, stream $stream)', async ({ api, stream }) => {
    const long = 'x'.repeat(300);
    mocks['openai-chat'].enqueue({ type: 'text', text: `${long} contact admin@corp.example.com today ${long}`, chunks: 40 });
    const answer = await ask(keys.answer.clients, api, models['openai-chat'], 'who do I ask?', { stream });
    expect(answer.text).toBe(`${long} contact [REDACTED_EMAIL] today ${long}`);
  });

  test('block in an answer: a whole answer becomes a 400, a stream ends with an error event', async () => {
    const key = keys['answer-block'];
    mocks['openai-chat'].enqueue({ type: 'text', text: 'here: AKIAIOSFODNN7EXAMPLE' });
    const whole = await key.clients.openai.chat.completions
      .create({ model: models['openai-chat'], messages: [{ role: 'user', content: 'key?' }] })
      .catch((e) => e);
    expect(whole.status).toBe(400);
    expect(whole.message).toContain('Blocked by guardrail "answer-secrets": the answer contains 1 SECRET');
    mocks.anthropic.enqueue({ type: 'text', text: `${'y'.repeat(400)} AKIAIOSFODNN7EXAMPLE`, chunks: 20 });
    let text = '';
    const failure = await (async () => {
      for await (const event of key.clients.anthropic.messages.stream({
        model: models.anthropic,
        max_tokens: 10,
        messages: [{ role: 'user', content: 'key?' }],
      })) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      }
    })().catch((e) => e);
    expect(String(failure)).toContain('answer-secrets');
    expect(text).not.toContain('AKIA');
  });
});

describe('attached to a virtual model', () => {
  test('applies to requests for that virtual model only', async () => {
    const modelId = (await gw.services.db.model.findFirstOrThrow({ where: { name: models['openai-chat'] } })).id;
    const vm = await createVirtualModel(gw, { name: 'guarded', strategy: 'FAILOVER', targets: [{ modelId }] });
    await createGuardrail(gw, { name: 'vm-mask', mode: 'MASK', detectors: ['EMAIL'], virtualModelIds: [vm] });
    const plain = await keyFor('plain');
    const mock = mocks['openai-chat'];
    let from = mock.requests.length;
    expect((await ask(plain.clients, 'chat-completions', 'guarded', `to ${EMAIL}`, { stream: true })).text).toContain(EMAIL);
    expect(receivedSince(mock, from)).not.toContain(EMAIL);
    from = mock.requests.length;
    await ask(plain.clients, 'chat-completions', models['openai-chat'], `to ${EMAIL}`);
    expect(receivedSince(mock, from)).toContain(EMAIL);
  });
});

describe('admin API', () => {
  test('invalid settings are refused naming the field', async () => {
    const bad = async (input: Record<string, unknown>) =>
      (await gw.gql('mutation($i: GuardrailInput!) { createGuardrail(input: $i) { id } }', { i: input }, await gw.adminToken())).errors?.[0];
    expect((await bad({ name: 'x', mode: 'MASK', patterns: [{ label: 'TICKET', pattern: '(a)\\1' }] }))?.extensions?.field).toBe('input.patterns.0.pattern');
    expect((await bad({ name: 'x', mode: 'MASK', patterns: [{ label: 'bad label', pattern: 'a' }] }))?.extensions?.field).toBe('input.patterns.0.label');
    expect((await bad({ name: 'x', mode: 'MASK' }))?.message).toContain('choose at least one');
    expect((await bad({ name: 'x', mode: 'MASK', moderation: { model: 'mod' } }))?.extensions?.field).toBe('input.mode');
    expect((await bad({ name: 'pii-mask', mode: 'LOG', words: ['a'] }))?.extensions?.field).toBe('input.name');
  });

  test('preview shows what a sample becomes', async () => {
    const q = 'query($i: GuardrailInput!, $s: String!) { previewGuardrail(input: $i, sample: $s) { text restored found count blockedMessage } }';
    const masked = (
      await gw.admin<{ previewGuardrail: unknown }>(q, {
        i: { name: 'draft', mode: 'MASK', detectors: ['EMAIL', 'CN_RESIDENT_ID'], patterns: [{ label: 'TICKET', pattern: 'TCK-\\d+' }] },
        s: `${EMAIL} 11010519491231002X TCK-42 ${EMAIL}`,
      })
    ).previewGuardrail;
    expect(masked).toEqual({
      text: '[EMAIL_1] [CN_ID_1] [TICKET_1] [EMAIL_1]',
      restored: `${EMAIL} 11010519491231002X TCK-42 ${EMAIL}`,
      found: '2 EMAIL, 1 CN_ID, 1 TICKET',
      count: 4,
      blockedMessage: null,
    });
    const blocked = (
      await gw.admin<{ previewGuardrail: { blockedMessage: string | null } }>(q, {
        i: { name: 'draft', mode: 'BLOCK', words: ['secret plan'] },
        s: 'the Secret Plan',
      })
    ).previewGuardrail;
    expect(blocked.blockedMessage).toBe('Blocked by guardrail "draft": the request contains 1 WORD');
  });

  test('list, update and delete', async () => {
    const { guardrails } = await gw.admin<{ guardrails: Array<{ id: string; name: string }> }>('{ guardrails { id name mode stage detectors keyIds } }');
    const log = guardrails.find((g) => g.name === 'watch-mail');
    expect(log).toMatchObject({ mode: 'LOG', stage: 'REQUEST', detectors: ['EMAIL'], keyIds: [keys.log.id] });
    if (!log) throw new Error('the watch-mail guardrail is not listed');
    await gw.admin('mutation($id: ID!, $i: UpdateGuardrailInput!) { updateGuardrail(id: $id, input: $i) { id } }', { id: log.id, i: { mode: 'REDACT' } });
    const from = mocks['openai-chat'].requests.length;
    await ask(keys.log.clients, 'chat-completions', models['openai-chat'], `mail ${EMAIL}`);
    expect(receivedSince(mocks['openai-chat'], from)).toContain('[REDACTED_EMAIL]');
    expect(await gw.admin('mutation($id: ID!) { deleteGuardrail(id: $id) }', { id: log.id })).toEqual({ deleteGuardrail: true });
    const after = mocks['openai-chat'].requests.length;
    await ask(keys.log.clients, 'chat-completions', models['openai-chat'], `mail ${EMAIL}`);
    expect(receivedSince(mocks['openai-chat'], after)).toContain(EMAIL);
  });
});
