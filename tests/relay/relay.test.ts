/**
 * Relay mode against a Codex-like upstream (the Responses mock in strict mode:
 * streaming only, store:false only, sampling fields and system items refused).
 * For each instructions policy: what the upstream receives, and what the
 * client gets back (its own instructions echoed, the upstream's text nowhere).
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GOVERNING_HEADER } from '../../server/plugins/relay-request.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIResponsesMock } from '../support/mock-upstreams/openai-responses.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createModel, createProvider, lastRequest, openaiClient, parseSse, postRaw, updateProvider } from '../support/proxy-fixture.js';

const UPSTREAM_TEXT = 'You are Codex, a coding agent. UPSTREAM-MANDATED-PROMPT-7731.';
const CLIENT_TEXT = 'You are a helpful travel assistant. Answer in French.';
const CODEX_DROPPED = ['max_output_tokens', 'temperature', 'top_p', 'metadata'];

let gw: TestGateway;
let mock: MockUpstream;
let providerId: string;
let key: string;

const setPolicy = (instructionsPolicy: string) =>
  updateProvider(gw, providerId, { options: { relay: { instructionsPolicy, upstreamInstructions: UPSTREAM_TEXT } } });

const body = (extra: Record<string, unknown> = {}) => ({
  model: 'codex',
  instructions: CLIENT_TEXT,
  input: [
    { role: 'user', content: 'Where should I go?' },
    { role: 'system', content: 'Mid-conversation note from the app.' },
  ],
  temperature: 0.2,
  top_p: 0.9,
  max_output_tokens: 200,
  metadata: { app: 'travel' },
  store: true,
  ...extra,
});

async function send(stream: boolean, extra: Record<string, unknown> = {}) {
  const res = await postRaw(gw, '/v1/responses', body({ stream, ...extra }), { authorization: `Bearer ${key}` });
  expect(res.status).toBe(200);
  // Injected text never reaches the client, whole or streamed.
  expect(res.text).not.toContain('UPSTREAM-MANDATED');
  expect(res.text).not.toContain(GOVERNING_HEADER);
  return res;
}

beforeAll(async () => {
  gw = await startTestGateway();
  mock = await startOpenAIResponsesMock({ requireStream: true, requireStoreFalse: true, rejectParams: CODEX_DROPPED, rejectSystemRole: true });
  providerId = await createProvider(gw, { name: 'relay', type: 'codex-relay', baseUrl: mock.url });
  await createModel(gw, providerId, 'codex', 'gpt-5-codex');
  key = (await createKey(gw)).key;
});

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

function expectCodexShape(received: any): void {
  expect(received.stream).toBe(true);
  expect(received.store).toBe(false);
  for (const field of CODEX_DROPPED) expect(received).not.toHaveProperty(field);
  expect(received.input.some((item: any) => item.role === 'system')).toBe(false);
  expect(received.input).toContainEqual(expect.objectContaining({ role: 'developer', content: 'Mid-conversation note from the app.' }));
}

const POLICIES: Array<{ policy: string; instructions: string; governing: boolean }> = [
  { policy: 'passthrough', instructions: CLIENT_TEXT, governing: false },
  { policy: 'fill-if-empty', instructions: CLIENT_TEXT, governing: false },
  { policy: 'prepend', instructions: `${UPSTREAM_TEXT}\n\n${CLIENT_TEXT}`, governing: false },
  { policy: 'isolate', instructions: UPSTREAM_TEXT, governing: true },
];

describe.each(POLICIES)('policy $policy', ({ policy, instructions, governing }) => {
  test.each([false, true])('upstream receives the relay shape; the client gets its own echo (stream: %s)', async (stream) => {
    await setPolicy(policy);
    const res = await send(stream);
    const received = lastRequest(mock).body;
    expectCodexShape(received);
    expect(received.instructions).toBe(instructions);
    const first = received.input[0];
    if (governing)
      expect(first).toEqual({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: `${GOVERNING_HEADER}\n\n${CLIENT_TEXT}` }] });
    else expect(first).toMatchObject({ role: 'user' });

    if (!stream) {
      // A non-streaming client over a streaming-only upstream: one whole answer, assembled.
      expect(res.json.object).toBe('response');
      expect(res.json.status).toBe('completed');
      expect(res.json.instructions).toBe(CLIENT_TEXT);
      expect(res.json.output[0].content[0].text).toBe('Hello from openai-responses: Where should I go?');
      expect(res.json.usage.input_tokens).toBe(12);
    } else {
      const events = parseSse(res.text);
      const withResponse = events.filter((e) => e.data?.response);
      expect(withResponse.map((e) => e.event)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
      for (const e of withResponse) expect(e.data.response.instructions).toBe(CLIENT_TEXT);
    }
  });
});

test('fill-if-empty sends the upstream instructions only when the client sent none; the echo stays null', async () => {
  await setPolicy('fill-if-empty');
  const res = await send(false, { instructions: undefined });
  expect(lastRequest(mock).body.instructions).toBe(UPSTREAM_TEXT);
  expect(res.json.instructions).toBeNull();
});

test('the official SDK sees only its own instructions, and the log counts the injected tokens', async () => {
  await setPolicy('isolate');
  const openai = openaiClient(gw, key);
  const response = await openai.responses.create({ model: 'codex', instructions: CLIENT_TEXT, input: 'Hi', temperature: 0.5 });
  expect(response.instructions).toBe(CLIENT_TEXT);
  expect(response.output_text).toBe('Hello from openai-responses: Hi');
  expect(JSON.stringify(response)).not.toContain('UPSTREAM-MANDATED');

  let rows: Array<{ injectedTokens: number | null; status: number }> = [];
  for (let i = 0; i < 50 && rows.length === 0; i++) {
    await gw.services.requestLogs.flush();
    rows = (
      await gw.admin<{ requestLogs: { nodes: typeof rows } }>('{ requestLogs(first: 1, filter: { model: "codex" }) { nodes { injectedTokens status } } }')
    ).requestLogs.nodes;
    if (!rows.length) await new Promise((r) => setTimeout(r, 20));
  }
  expect(rows[0].injectedTokens).toBe(countTokens(UPSTREAM_TEXT));
});

test('a chat-completions client behind the relay: system prompt isolated, whole answer assembled', async () => {
  await setPolicy('isolate');
  const openai = openaiClient(gw, key);
  const completion = await openai.chat.completions.create({
    model: 'codex',
    temperature: 0.1,
    messages: [
      { role: 'system', content: CLIENT_TEXT },
      { role: 'user', content: 'Bonjour' },
    ],
  });
  expect(completion.choices[0].message.content).toBe('Hello from openai-responses: Bonjour');
  const received = lastRequest(mock).body;
  expect(received.instructions).toBe(UPSTREAM_TEXT);
  expect(received.input[0].content[0].text).toBe(`${GOVERNING_HEADER}\n\n${CLIENT_TEXT}`);
  expect(received.stream).toBe(true);
  expect(received).not.toHaveProperty('temperature');
});

test('without relay settings an ordinary Responses provider is untouched', async () => {
  const plain = await startOpenAIResponsesMock();
  try {
    const id = await createProvider(gw, { name: 'plain', type: 'openai-responses', baseUrl: plain.url });
    await createModel(gw, id, 'plain-model', 'gpt-4.1');
    const res = await postRaw(
      gw,
      '/v1/responses',
      { model: 'plain-model', instructions: CLIENT_TEXT, input: 'x', temperature: 0.3 },
      { authorization: `Bearer ${key}` },
    );
    expect(res.status).toBe(200);
    expect(lastRequest(plain).body).toEqual({ model: 'gpt-4.1', instructions: CLIENT_TEXT, input: 'x', temperature: 0.3 });
  } finally {
    await plain.close();
  }
});

test('the Codex relay preset exposes its defaults', async () => {
  const data = await gw.admin<{ relayDefaults: unknown; plain: unknown }>(
    '{ relayDefaults(type: "codex-relay") { instructionsPolicy droppedFields forceStoreFalse forceStream upstreamInstructions } plain: relayDefaults(type: "openai") { forceStream } }',
  );
  expect(data.relayDefaults).toEqual({
    instructionsPolicy: 'isolate',
    droppedFields: CODEX_DROPPED,
    forceStoreFalse: true,
    forceStream: true,
    upstreamInstructions: '',
  });
  expect(data.plain).toBeNull();
});
