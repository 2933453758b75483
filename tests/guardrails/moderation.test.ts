/**
 * The moderation hook through the real gateway: a loopback moderation mock in
 * OpenAI's moderation format and a loopback judge model (chat verdict). A
 * flagged request is refused before any upstream call; a clean one goes on; a
 * check that times out or fails lets the request through (fail-open) or
 * refuses it with 503 (fail-closed); `log` only records.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import {
  addUpstream,
  anthropicClient,
  createKey,
  createModel,
  createProvider,
  openaiClient,
  startCustomUpstream,
  UPSTREAM_KEY,
  type CustomUpstream,
} from '../support/proxy-fixture.js';
import { createGuardrail, logRowOf, type Clients } from './helpers.js';

let gw: TestGateway;
let moderator: CustomUpstream;
let main: MockUpstream;
let model: string;
const keys: Record<string, { id: string; clients: Clients }> = {};
const TIMEOUT_MS = 300;

/** What a moderation or judge request was about: FLAG → flagged, HANG → no answer, FAIL → 500. */
function verdictFor(text: string): 'flagged' | 'clean' | 'hang' | 'fail' {
  return text.includes('HANG') ? 'hang' : text.includes('FAIL') ? 'fail' : text.includes('FLAG') ? 'flagged' : 'clean';
}

beforeAll(async () => {
  gw = await startTestGateway();
  moderator = await startCustomUpstream((req, body, res) => {
    if (req.headers.authorization !== `Bearer ${UPSTREAM_KEY}`) return void res.writeHead(401).end();
    const isChat = req.url === '/v1/chat/completions';
    const text = isChat ? String(body.messages.at(-1).content) : String(body.input);
    const verdict = verdictFor(text);
    if (verdict === 'hang') return; // never answers; the gateway's timeout decides
    if (verdict === 'fail') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
    const answer = isChat
      ? {
          id: 'j',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: verdict === 'flagged' ? 'FLAGGED' : 'SAFE' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }
      : {
          id: 'modr-1',
          model: body.model,
          results: [{ flagged: verdict === 'flagged', categories: { harassment: verdict === 'flagged', violence: false }, category_scores: {} }],
        };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  const provider = await createProvider(gw, { name: 'moderation', type: 'openai', baseUrl: `${moderator.url}/v1`, apiKey: UPSTREAM_KEY });
  await createModel(gw, provider, 'moderator', 'omni-moderation-latest');
  await createModel(gw, provider, 'judge', 'gpt-4o-mini');
  const added = await addUpstream(gw, 'openai-chat');
  main = added.mock;
  model = added.model;
  const guardrails: Record<string, Record<string, unknown>> = {
    open: { mode: 'BLOCK', moderation: { model: 'moderator', timeoutMs: TIMEOUT_MS, failClosed: false } },
    closed: { mode: 'BLOCK', moderation: { model: 'moderator', timeoutMs: TIMEOUT_MS, failClosed: true } },
    judge: { mode: 'BLOCK', moderation: { model: 'judge', format: 'CHAT_VERDICT', timeoutMs: TIMEOUT_MS, failClosed: true } },
    log: { mode: 'LOG', moderation: { model: 'moderator', timeoutMs: TIMEOUT_MS } },
    answer: { mode: 'BLOCK', stage: 'RESPONSE', moderation: { model: 'moderator', timeoutMs: TIMEOUT_MS, failClosed: true } },
  };
  for (const [name, input] of Object.entries(guardrails)) {
    const key = await createKey(gw, { name });
    await createGuardrail(gw, { name: `mod-${name}`, keyIds: [key.id], ...input });
    keys[name] = { id: key.id, clients: { openai: openaiClient(gw, key.key), anthropic: anthropicClient(gw, key.key) } };
  }
});

afterAll(async () => {
  await gw?.stop();
  await moderator?.close();
  await main?.close();
});

const chat = (name: string, content: string) => keys[name].clients.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] });

describe('moderation (OpenAI moderation format)', () => {
  test('a flagged request is refused naming the guardrail, with no upstream call; a clean one goes on', async () => {
    const before = main.requests.length;
    const seen = moderator.requests.length;
    const refused = await chat('open', 'please FLAG this').catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('Blocked by guardrail "mod-open"');
    expect(main.requests.length).toBe(before);
    expect(moderator.requests[seen]).toMatchObject({ url: '/v1/moderations', body: { model: 'omni-moderation-latest', input: 'please FLAG this' } });
    const ok = await chat('open', 'hello');
    expect(ok.choices[0].message.content).toContain('hello');
    expect(main.requests.length).toBe(before + 1);
  });

  test('a timeout lets the request through when the guardrail fails open', async () => {
    const started = performance.now();
    const ok = await chat('open', 'HANG please');
    const took = performance.now() - started;
    expect(ok.choices[0].message.content).toContain('HANG please');
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(5_000);
  });

  test('a timeout or a failed check refuses with 503 when the guardrail fails closed', async () => {
    const before = main.requests.length;
    const timedOut = await chat('closed', 'HANG please').catch((e) => e);
    expect(timedOut.status).toBe(503);
    expect(timedOut.message).toContain('Guardrail "mod-closed": the moderation check timed out');
    const failed = await chat('closed', 'FAIL please').catch((e) => e);
    expect(failed.status).toBe(503);
    expect(failed.message).toContain('the moderation check failed');
    expect(main.requests.length).toBe(before);
    expect((await chat('open', 'FAIL please')).choices[0].message.content).toContain('FAIL please');
  });

  test('log only records a flagged request', async () => {
    const started = new Date();
    const ok = await chat('log', 'FLAG but let it pass');
    expect(ok.choices[0].message.content).toContain('FLAG but let it pass');
    expect((await logRowOf(gw, keys.log.id, started)).guardrails).toBe('mod-log:log:1');
  });
});

describe('moderation of answers', () => {
  test('a flagged whole answer is refused; the request itself was not checked', async () => {
    const seen = moderator.requests.length;
    const before = main.requests.length;
    // The chat mock answers "Hello from openai-chat: <the user text>".
    const refused = await chat('answer', 'say FLAG').catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('Blocked by guardrail "mod-answer": the answer contains content the moderation model flagged');
    expect(main.requests.length).toBe(before + 1);
    expect(moderator.requests.slice(seen).map((r) => r.body.input)).toEqual(['Hello from openai-chat: say FLAG']);
    expect((await chat('answer', 'say hi')).choices[0].message.content).toContain('say hi');
  });

  test('a streamed answer is not held for moderation', async () => {
    const seen = moderator.requests.length;
    let text = '';
    for await (const chunk of await keys.answer.clients.openai.chat.completions.create({
      model,
      stream: true,
      messages: [{ role: 'user', content: 'say FLAG' }],
    })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toContain('say FLAG');
    expect(moderator.requests.length).toBe(seen);
  });
});

describe('moderation (chat model verdict)', () => {
  test('the judge model decides, through the Anthropic SDK too', async () => {
    const refused = await keys.judge.clients.anthropic.messages
      .create({ model, max_tokens: 20, messages: [{ role: 'user', content: 'FLAG me' }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(refused.message).toContain('mod-judge');
    const judged = moderator.requests.at(-1)!;
    expect(judged.url).toBe('/v1/chat/completions');
    expect(judged.body.messages[0].content).toContain('FLAGGED');
    const ok = await keys.judge.clients.anthropic.messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: 'a kind question' }] });
    expect(ok.content[0].type === 'text' && ok.content[0].text).toContain('a kind question');
  });
});
