/**
 * One gateway with a scripted upstream of each wire format behind it, configured
 * through GraphQL like an operator would: a provider and a model per format
 * (`agent-<format>`), a failover virtual model whose first target is unreachable,
 * and one virtual key. Agent suites share one bench per file.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { conversationView, type ConversationView, type WireFormat } from '../../support/mock-upstreams/scripted-model.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../../support/mock-upstreams/scripted-upstream.js';
import type { RecordedRequest } from '../../support/mock-upstreams/types.js';
import { createVirtualModel, createKey, createProviderWithModel } from '../../support/admin.js';
import { freePort } from '../../support/mock-upstreams/serve.js';
import { afterAll, beforeAll } from 'vitest';
import { AgentHome, agentBins } from './agents.js';

export const FORMATS: WireFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

const PROVIDER: Record<WireFormat, { type: string; upstreamModel: string }> = {
  'openai-chat': { type: 'openai', upstreamModel: 'gpt-4.1' },
  'openai-responses': { type: 'openai-responses', upstreamModel: 'gpt-5-codex' },
  anthropic: { type: 'anthropic', upstreamModel: 'claude-sonnet-4-5-20250929' },
  gemini: { type: 'gemini', upstreamModel: 'gemini-2.5-pro' },
};

export const modelName = (format: WireFormat): string => `agent-${format}`;
export const FAILOVER_MODEL = 'agent-failover';
/** A Codex relay provider (Responses, instructions isolated, store and stream forced) in front of its own scripted upstream. */
export const RELAY_MODEL = 'agent-codex-relay';
export const RELAY_INSTRUCTIONS = 'You are reached through a relay.';

export interface AgentBench {
  gw: TestGateway;
  key: string;
  upstreams: Record<WireFormat, ScriptedUpstream>;
  /** The Responses upstream behind the relay provider. */
  relayUpstream: ScriptedUpstream;
  stop(): Promise<void>;
}

export async function startAgentBench({ failoverTo }: { failoverTo: WireFormat }): Promise<AgentBench> {
  const gw = await startTestGateway();
  const upstreams = {} as Record<WireFormat, ScriptedUpstream>;
  const modelIds = {} as Record<WireFormat | 'dead', string>;
  const addModel = async (name: string, type: string, baseUrl: string, upstreamModel: string, options?: Record<string, unknown>) => {
    const created = await createProviderWithModel(gw, { name: `provider-${name}`, type, baseUrl, ...(options ? { options } : {}) }, { name, upstreamModel });
    return created.modelId;
  };
  for (const format of FORMATS) {
    upstreams[format] = await startScriptedUpstream(format);
    modelIds[format] = await addModel(modelName(format), PROVIDER[format].type, upstreams[format].url, PROVIDER[format].upstreamModel);
  }
  const relayUpstream = await startScriptedUpstream('openai-responses');
  await addModel(RELAY_MODEL, 'codex-relay', relayUpstream.url, 'gpt-5-codex', { relay: { upstreamInstructions: RELAY_INSTRUCTIONS } });
  modelIds.dead = await addModel('agent-dead', 'openai', `http://127.0.0.1:${await freePort()}/v1`, 'gpt-4.1');
  await createVirtualModel(gw, {
    name: FAILOVER_MODEL,
    strategy: 'FAILOVER',
    targets: [
      { modelId: modelIds.dead, weight: 1, priority: 0 },
      { modelId: modelIds[failoverTo], weight: 1, priority: 1 },
    ],
    options: { retries: 1, failureThreshold: 100 },
  });
  const { key } = await createKey(gw, { name: 'agents' });
  return {
    gw,
    key,
    upstreams,
    relayUpstream,
    stop: async () => {
      await gw.stop();
      await Promise.all([...Object.values(upstreams), relayUpstream].map((u) => u.close()));
    },
  };
}

/** A fresh nonce the scripted model recognises (`N-` + 10 hex digits). */
export const nonce = (): string => `N-${randomBytes(5).toString('hex')}`;

/** Where a mock's request log stands, so a test looks only at what its own run caused. */
export function mark(upstream: ScriptedUpstream): () => RecordedRequest[] {
  const from = upstream.requests.length;
  return () => upstream.requests.slice(from);
}

/** The generation requests among `requests`, viewed neutrally. */
export function viewsOf(upstream: ScriptedUpstream, requests: RecordedRequest[]): ConversationView[] {
  const generations = new Set(upstream.generations());
  return requests.filter((r) => generations.has(r)).map((r) => conversationView(upstream.format, r.body));
}

/** Every request since the mark got a 2xx: agents hide a 400 by degrading and retrying. */
export function refused(upstream: ScriptedUpstream, requests: RecordedRequest[]): Array<{ url: string; status?: number; body?: unknown }> {
  return requests
    .filter((r) => !((upstream.statusOf(r) ?? 0) >= 200 && (upstream.statusOf(r) ?? 0) < 300))
    .map((r) => ({ url: r.url, status: upstream.statusOf(r) }));
}

// ------------------------------------------------------------------ recorded fixtures

const fixturesRoot = fileURLToPath(new URL('../../fixtures/agents/', import.meta.url));
const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'cookie', 'proxy-authorization']);

/** Whether this run refreshes tests/fixtures/agents (REFRESH_AGENT_FIXTURES=1). */
export const refreshFixtures = process.env.REFRESH_AGENT_FIXTURES === '1';

/** Stores a recorded request as a fixture: secrets removed, the run's home folder made stable. */
export function saveFixture(agent: string, name: string, request: RecordedRequest, home: string): void {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !SECRET_HEADERS.has(name) && name !== 'host' && name !== 'content-length'),
  );
  const stable = JSON.stringify({ method: request.method, url: request.url, headers, body: request.body }, null, 2).split(home).join('/home/agent');
  mkdirSync(path.join(fixturesRoot, agent), { recursive: true });
  writeFileSync(path.join(fixturesRoot, agent, `${name}.json`), `${stable}\n`);
}

/**
 * The file-level setup both agent suites share: the agents' binaries, one bench
 * for the whole file (filled in before the first test runs), and a fresh HOME
 * per run, all removed after the file.
 */
export function agentSuite({ failoverTo }: { failoverTo: WireFormat }): { bench: AgentBench; home(): AgentHome } {
  const bench = {} as AgentBench;
  let started: AgentBench | undefined;
  const homes: AgentHome[] = [];
  beforeAll(async () => {
    agentBins();
    started = await startAgentBench({ failoverTo });
    Object.assign(bench, started);
  }, 15 * 60_000);
  afterAll(async () => {
    await started?.stop();
    for (const h of homes) h.dispose();
  });
  const home = () => {
    const h = new AgentHome();
    homes.push(h);
    return h;
  };
  return { bench, home };
}
