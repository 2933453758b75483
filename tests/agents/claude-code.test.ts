/**
 * Claude Code (pinned in tests/agents/cli) through the gateway as ANTHROPIC_BASE_URL, to a
 * scripted upstream of each wire format: a plain turn, a real Bash round trip (Claude Code runs
 * `echo <nonce>` and sends the output back), a resumed session (`--resume <session id>`, with
 * session persistence on in the run's own HOME), structured output (`--json-schema`, answered
 * through Claude Code's StructuredOutput tool) and token counting (`/context` →
 * `/v1/messages/count_tokens`); plus failover from an unreachable target. Each case checks what
 * the upstream received: Claude Code hides a 400 by degrading and retrying.
 */
import { describe, expect, test, vi } from 'vitest';
import type { RequestRecord } from '../../server/core/request-record.js';
import { startScriptedUpstream } from '../support/mock-upstreams/scripted-upstream.js';
import { DEFAULT_API_KEY } from '../support/mock-upstreams/types.js';
import type { AgentHome } from './support/agents.js';
import { describeRun, runClaude, type ClaudeRun } from './support/agents.js';
import { FAILOVER_MODEL, FORMATS, agentSuite, mark, modelName, nonce, refreshFixtures, refused, saveFixture, viewsOf } from './support/bench.js';

// One agent run may take RUN_MS; a case runs the agent at most twice.
const RUN_MS = 45_000;
vi.setConfig({ testTimeout: 2 * RUN_MS + 15_000 });
const { bench, home } = agentSuite({ failoverTo: 'openai-chat' });

const gatewayRun = (h: AgentHome, model: string, prompt: string, extra: Partial<ClaudeRun> = {}) =>
  runClaude(h, { baseUrl: bench.gw.url, apiKey: bench.key, model, prompt, timeoutMs: RUN_MS, ...extra });

describe.each(FORMATS)('Claude Code → gateway → %s upstream', (format) => {
  const model = modelName(format);

  test('plain turn: the prompt reaches the upstream and its answer is the result', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const h = home();
    const word = nonce();
    const result = await gatewayRun(h, model, `Reply with pong and ${word}.`);
    const received = since();
    const firstGeneration = upstream.generations().find((r) => received.includes(r));
    if (refreshFixtures && firstGeneration) saveFixture('claude-code', `upstream-${format}`, firstGeneration, h.dir);
    expect(result.answer, describeRun(result)).toBe(`pong ${word}`);
    expect(result.json?.is_error).toBe(false);
    expect(refused(upstream, received)).toEqual([]);
    const views = viewsOf(upstream, received);
    expect(views.at(-1)!.userTexts.at(-1)).toContain(word);
    expect(views.at(-1)!.tools.map((t) => t.name)).toContain('Bash');
  });

  test('Bash round trip: Claude Code runs the command and the output goes back upstream', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const word = nonce();
    const result = await gatewayRun(home(), model, `Please run the shell command \`echo ${word}\` and tell me what it printed.`, {
      allowedTools: 'Bash(echo:*)',
    });
    expect(result.answer, describeRun(result)).toBe(`The command printed: ${word}`);
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    expect(viewsOf(upstream, received).at(-1)!.lastToolResult).toContain(word);
  });

  test('multi-turn: --resume sends the earlier turn with the new one', async () => {
    const upstream = bench.upstreams[format];
    const h = home();
    const word = nonce();
    const first = await gatewayRun(h, model, `The code word is ${word}. Reply with pong.`, { persist: true });
    expect(first.answer, describeRun(first)).toBe(`pong ${word}`);
    const sessionId = first.json?.session_id;
    expect(typeof sessionId).toBe('string');
    const since = mark(upstream);
    const second = await gatewayRun(h, model, 'What was the code word?', { resume: sessionId });
    expect(second.answer, describeRun(second)).toBe(`The code word was ${word}.`);
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    const view = viewsOf(upstream, received).at(-1)!;
    expect(view.userTexts.some((t) => t.includes(`The code word is ${word}`))).toBe(true);
    expect(view.userTexts.at(-1)).toBe('What was the code word?');
  });

  test('structured output: --json-schema comes back through the StructuredOutput tool', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const word = nonce();
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const result = await gatewayRun(home(), model, `Reply with pong and ${word}.`, { extraArgs: ['--json-schema', JSON.stringify(schema)] });
    expect(result.json?.structured_output, describeRun(result)).toEqual({ answer: `pong ${word}` });
    const received = since();
    expect(refused(upstream, received)).toEqual([]);
    // The tool and its schema reached the upstream in its own tool format.
    const first = received.find((r) => upstream.generations().includes(r))!;
    expect(JSON.stringify(first.body)).toContain('StructuredOutput');
    expect(viewsOf(upstream, received)[0].tools.map((t) => t.name)).toContain('StructuredOutput');
  });

  test('/context counts tokens through /v1/messages/count_tokens', async () => {
    const upstream = bench.upstreams[format];
    const since = mark(upstream);
    const counted = new Promise<RequestRecord>((resolve) => {
      const off = bench.gw.services.recorder.subscribe((record) => {
        if (record.clientApi === 'count_tokens') {
          off();
          resolve(record);
        }
      });
    });
    const result = await gatewayRun(home(), model, '/context');
    expect(result.exitCode, describeRun(result)).toBe(0);
    const record = await Promise.race([counted, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000))]);
    expect(record, describeRun(result)).toBeDefined();
    expect(record!.status).toBe(200);
    // Only an Anthropic upstream is asked; the others are estimated by the gateway.
    const asked = since().filter((r) => r.url.includes('count_tokens') || r.url.includes(':countTokens'));
    expect(asked.length > 0).toBe(format === 'anthropic');
  });
});

describe('Claude Code through a virtual model', () => {
  test('failover: the unreachable first target is skipped and the answer comes from the next', async () => {
    const upstream = bench.upstreams['openai-chat'];
    const since = mark(upstream);
    const word = nonce();
    const result = await gatewayRun(home(), FAILOVER_MODEL, `Reply with pong and ${word}.`);
    expect(result.answer, describeRun(result)).toBe(`pong ${word}`);
    expect(viewsOf(upstream, since()).at(-1)!.userTexts.at(-1)).toContain(word);
  });
});

describe('Claude Code straight to the scripted Anthropic upstream (no gateway)', () => {
  test('the scripted model drives Claude Code through a Bash round trip on its own wire format', async () => {
    const upstream = await startScriptedUpstream('anthropic');
    try {
      const h = home();
      const word = nonce();
      const result = await runClaude(h, {
        baseUrl: upstream.url,
        apiKey: DEFAULT_API_KEY,
        // The gateway's model names are unknown to Claude Code, which then sends its newest request shape: record that one.
        model: modelName('anthropic'),
        prompt: `Please run the shell command \`echo ${word}\` and tell me what it printed.`,
        allowedTools: 'Bash(echo:*)',
        timeoutMs: RUN_MS,
      });
      const generations = upstream.generations();
      // What Claude Code itself sends: the client-side fixtures the translation unit tests decode.
      if (refreshFixtures && generations.length >= 2) {
        saveFixture('claude-code', 'client-request', generations[0], h.dir);
        saveFixture('claude-code', 'client-tool-result-request', generations.at(-1)!, h.dir);
      }
      expect(result.answer, describeRun(result)).toBe(`The command printed: ${word}`);
      expect(refused(upstream, upstream.requests)).toEqual([]);
    } finally {
      await upstream.close();
    }
  });
});
