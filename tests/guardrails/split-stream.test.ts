/**
 * Restored values reach the client however a placeholder is split across
 * stream chunks: a scripted upstream (OpenAI chat and Anthropic wire formats)
 * cuts its answer — text, and a tool call's arguments — at every offset, and
 * every client API (official SDKs) must get the caller's own values back,
 * while the upstream never saw them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { anthropicClient, createKey, createModel, createProvider, openaiClient, UPSTREAM_KEY } from '../support/proxy-fixture.js';
import { APIS, ask, createGuardrail, type Clients } from './helpers.js';
import { startSplitUpstream, type SplitUpstream } from './split-upstream.js';

const EMAIL = 'jane.doe@example.com';
const PHONE = '13812345678';
const TEXT = 'Sure, [EMAIL_1] and [PHONE_1].';
const ARGS = '{"to":"[EMAIL_1]","sms":"[PHONE_1]"}';

let gw: TestGateway;
let upstream: SplitUpstream;
let clients: Clients;
const models = { 'openai-chat': 'split-chat', anthropic: 'split-anthropic' } as const;

beforeAll(async () => {
  gw = await startTestGateway();
  upstream = await startSplitUpstream();
  const chat = await createProvider(gw, { name: 'split-chat', type: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY });
  await createModel(gw, chat, models['openai-chat'], 'gpt-4o');
  const anthropic = await createProvider(gw, { name: 'split-anthropic', type: 'anthropic', baseUrl: upstream.url, apiKey: UPSTREAM_KEY });
  await createModel(gw, anthropic, models.anthropic, 'claude-sonnet-4-5');
  const key = await createKey(gw);
  await createGuardrail(gw, { name: 'pii', mode: 'MASK', detectors: ['EMAIL', 'PHONE'], keyIds: [key.id] });
  clients = { openai: openaiClient(gw, key.key), anthropic: anthropicClient(gw, key.key) };
});

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

const USER = `Mail ${EMAIL} or text ${PHONE}`;

describe.each(['openai-chat', 'anthropic'] as const)('upstream %s', (wire) => {
  test.each(APIS)('text split at every offset reaches %s restored', async (api) => {
    for (let at = 0; at <= TEXT.length; at++) {
      upstream.next = { kind: 'text', content: TEXT, at };
      const from = upstream.requests.length;
      const answer = await ask(clients, api, models[wire], USER, { stream: true });
      expect(answer.text, `cut at ${at}`).toBe(`Sure, ${EMAIL} and ${PHONE}.`);
      const sent = JSON.stringify(upstream.requests.slice(from).map((r) => r.body));
      expect(sent).not.toContain(EMAIL);
      expect(sent).not.toContain(PHONE);
    }
  });

  test.each(APIS)('tool-call arguments split at every offset reach %s restored', async (api) => {
    for (let at = 0; at <= ARGS.length; at++) {
      upstream.next = { kind: 'tool', content: ARGS, at };
      const answer = await ask(clients, api, models[wire], USER, { stream: true, tools: true });
      expect(JSON.parse(answer.toolArguments ?? 'null'), `cut at ${at}`).toEqual({ to: EMAIL, sms: PHONE });
    }
  });
});
