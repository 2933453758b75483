/**
 * Codex CLI (pinned in tests/agents/cli) through the gateway with a `wire_api = "responses"`
 * provider, to a scripted upstream of each wire format: a plain turn, a real shell-tool round
 * trip (Codex runs `echo <nonce>` and sends the output back), a resumed session, and
 * structured output (`--output-schema`); plus failover from an unreachable target.
 * Each case checks what the upstream received, not only Codex's answer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { RequestRecord } from '../../server/core/request-record.js';
import { startScriptedUpstream } from '../support/mock-upstreams/scripted-upstream.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { AgentHome } from './support/agents.js';
import { describeRun, runCodex } from './support/agents.js';
import {
  FAILOVER_MODEL,
  FORMATS,
  RELAY_INSTRUCTIONS,
  RELAY_MODEL,
  agentSuite,
  mark,
  modelName,
  nonce,
  refreshFixtures,
  refused,
  saveFixture,
  viewsOf,
} from './support/bench.js';

// One agent run may take RUN_MS; a case runs the agent at most twice.
const RUN_MS = 45_000;
vi.setConfig({ testTimeout: 2 * RUN_MS + 15_000 });
const { bench, home } = agentSuite({ failoverTo: 'anthropic' });

const gatewayRun = (h: AgentHome, model: string, prompt: string, extra: { resume?: boolean; persist?: boolean } = {}) =>
  runCodex(h, { baseUrl: `${bench.gw.url}/v1`, apiKey: bench.key, model, prompt, timeoutMs: RUN_MS, ...extra });

describe.each(FORMATS)('Codex CLI → gateway → %s upstream', (format) => {
  const model = modelName(format);

  test("plain turn: the prompt reaches the upstream and its answer is Codex's final message", async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const h = home();
    const word = nonce();
    const records: RequestRecord[] = [];
    const off = bench.gw.services.recorder.subscribe((record) => void (record.clientApi === 'responses' && records.push(record)));
    const result = await gatewayRun(h, model, `Reply with pong and ${word}.`).finally(off);
    const received = since();
    if (refreshFixtures && received[0]) saveFixture('codex', `upstream-${format}`, received[0], h.dir);
    expect(result.answer, describeRun(result)).toBe(`pong ${word}`);
    expect(result.exitCode).toBe(0);
    expect(refused(upstream, received)).toEqual([]);
    const [first] = viewsOf(upstream, received);
    expect(first.userTexts.at(-1)).toContain(word);
    // Codex's shell tool arrives as a tool the upstream can call, whatever its format.
    expect(first.tools.map((t) => t.name)).toContain('exec_command');
    // Its hosted web search reaches the upstream in a native form, or the request log says it was dropped.
    const searchCarried = /web_search|googleSearch|google_search/.test(JSON.stringify(received[0].body.tools ?? []));
    expect(searchCarried || records.some((r) => /web_search/.test(r.warnings ?? '')), JSON.stringify(records.map((r) => r.warnings))).toBe(true);
  });

  test('shell tool round trip: Codex runs the command and the output goes back upstream', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const word = nonce();
    const result = await gatewayRun(home(), model, `Please run the shell command \`echo ${word}\` and tell me what it printed.`);
    expect(result.answer, describeRun(result)).toContain(`The command printed:`);
    expect(result.answer).toContain(word);
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    const views = viewsOf(upstream, received);
    expect(views.length).toBeGreaterThanOrEqual(2);
    // The second request ends with the tool's real output (the nonce printed by echo).
    expect(views.at(-1)!.lastToolResult).toContain(word);
  });

  test('multi-turn: `codex exec resume --last` sends the earlier turn with the new one', async () => {
    const upstream = bench.upstreams[format];
    const h = home();
    const word = nonce();
    const first = await gatewayRun(h, model, `The code word is ${word}. Reply with pong.`, { persist: true });
    expect(first.answer, describeRun(first)).toBe(`pong ${word}`);
    const since = mark(upstream);
    const second = await gatewayRun(h, model, 'What was the code word?', { resume: true });
    expect(second.answer, describeRun(second)).toBe(`The code word was ${word}.`);
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    const [view] = viewsOf(upstream, received);
    expect(view.userTexts.some((t) => t.includes(`The code word is ${word}`))).toBe(true);
    expect(view.userTexts.at(-1)).toBe('What was the code word?');
  });

  test('structured output: --output-schema reaches the upstream as its own JSON-schema mechanism', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const h = home();
    const schemaFile = path.join(h.dir, 'schema.json');
    mkdirSync(h.dir, { recursive: true });
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    writeFileSync(schemaFile, JSON.stringify(schema));
    const word = nonce();
    const result = await runCodex(h, {
      baseUrl: `${bench.gw.url}/v1`,
      apiKey: bench.key,
      model,
      prompt: `Reply with pong and ${word}.`,
      timeoutMs: RUN_MS,
      extraArgs: ['--output-schema', schemaFile],
    });
    expect(result.answer, describeRun(result)).not.toBe('');
    expect(JSON.parse(result.answer)).toEqual({ answer: `pong ${word}` });
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    const [view] = viewsOf(upstream, received);
    expect(view.responseSchema).toMatchObject({ properties: { answer: { type: 'string' } } });
  });
});

describe('Codex CLI through a virtual model', () => {
  test('failover: the unreachable first target is skipped and the answer comes from the next', async () => {
    const upstream = bench.upstreams.anthropic;
    const since = mark(upstream);
    const word = nonce();
    const result = await gatewayRun(home(), FAILOVER_MODEL, `Reply with pong and ${word}.`);
    expect(result.answer, describeRun(result)).toBe(`pong ${word}`);
    expect(viewsOf(upstream, since())[0].userTexts.at(-1)).toContain(word);
  });
});

describe('Codex CLI through a Codex relay provider', () => {
  test("a tool round trip arrives with the relay's own instructions, store: false and streaming", async () => {
    const upstream = bench.relayUpstream;
    const since = mark(upstream);
    const word = nonce();
    const result = await gatewayRun(home(), RELAY_MODEL, `Please run the shell command \`echo ${word}\` and tell me what it printed.`);
    expect(result.answer, describeRun(result)).toContain(word);
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    expect(received.length).toBeGreaterThanOrEqual(2);
    for (const request of received) {
      expect(request.body).toMatchObject({ instructions: RELAY_INSTRUCTIONS, store: false, stream: true });
    }
    expect(viewsOf(upstream, received).at(-1)!.lastToolResult).toContain(word);
  });
});

describe('Codex CLI straight to the scripted Responses upstream (no gateway)', () => {
  test('the scripted model drives Codex through a tool round trip on its own wire format', async () => {
    const upstream = await startScriptedUpstream('openai-responses');
    try {
      const h = home();
      const word = nonce();
      const result = await runCodex(h, {
        baseUrl: upstream.url,
        apiKey: DEFAULT_API_KEY,
        model: 'gpt-5-codex',
        prompt: `Please run the shell command \`echo ${word}\` and tell me what it printed.`,
        timeoutMs: RUN_MS,
      });
      const generations = upstream.generations();
      // What Codex itself sends: the client-side fixtures the translation unit tests decode.
      if (refreshFixtures && generations.length >= 2) {
        saveFixture('codex', 'client-request', generations[0], h.dir);
        saveFixture('codex', 'client-tool-result-request', generations.at(-1)!, h.dir);
      }
      expect(result.answer, describeRun(result)).toContain(word);
      expect(viewsOf(upstream, generations).at(-1)!.lastToolResult).toContain(word);
    } finally {
      await upstream.close();
    }
  });
});
