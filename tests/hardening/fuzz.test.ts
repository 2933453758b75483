/**
 * A bounded HTTP fuzz against a real gateway process: a few hundred hostile
 * requests (written-out attacks and generated bodies, see hostile-input.ts)
 * across every endpoint, with real upstream mocks behind the models. Asserted:
 * no answer is a 5xx; the gateway's own event-loop delay (its /metrics
 * `gateway_event_loop_delay_max_seconds`, scraped throughout) stays under
 * 100 ms, or where a window reached it, none of that window's requests does
 * so again when replayed alone (a shared machine also delays the loop); and
 * afterwards the gateway still serves and logs an ordinary request.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startGeminiMock } from '../support/mock-upstreams/gemini.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import { startOpenAIResponsesMock } from '../support/mock-upstreams/openai-responses.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { GatewayProcess } from '../scaleout/support.js';
import { generatedRequests, knownAttacks, type FuzzModels, type HostileRequest } from './hostile-input.js';
import { createKey, createModel, createProvider } from '../support/admin.js';

const METRICS_TOKEN = 'fuzz-metrics-token-0123456789';
const SEED = 20_260_212;
const GENERATED = 250;
const CONCURRENCY = 4;
const MAX_LOOP_DELAY_MS = 100;

let gateway: GatewayProcess;
const mocks: MockUpstream[] = [];
let key: string;
const models: FuzzModels = { chat: 'fz-chat', responses: 'fz-responses', anthropic: 'fz-anthropic', gemini: 'fz-gemini', embeddings: 'fz-embed' };

beforeAll(async () => {
  const [chat, responses, anthropic, gemini] = await Promise.all([startOpenAIChatMock(), startOpenAIResponsesMock(), startAnthropicMock(), startGeminiMock()]);
  mocks.push(chat, responses, anthropic, gemini);
  gateway = new GatewayProcess({ METRICS_TOKEN, MAX_BODY_BYTES: String(4 * 1024 * 1024), LOG_LEVEL: 'error' });
  await gateway.start();
  const provider = (name: string, type: string, baseUrl: string) => createProvider(gateway, { name, type, baseUrl });
  const model = (providerId: string, name: string, upstreamModel: string) => createModel(gateway, providerId, name, upstreamModel);
  const geminiId = await provider('fz-gemini', 'gemini', gemini.url);
  await model(await provider('fz-chat', 'openai', chat.url), models.chat, 'gpt-4o');
  await model(await provider('fz-responses', 'openai-responses', responses.url), models.responses, 'gpt-4.1-mini');
  await model(await provider('fz-anthropic', 'anthropic', anthropic.url), models.anthropic, 'claude-sonnet-4-5-20250929');
  await model(geminiId, models.gemini, 'gemini-2.5-flash');
  await model(geminiId, models.embeddings, 'text-embedding-004');
  key = (await createKey(gateway, { name: 'fuzz' })).key;
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(mocks.map((m) => m.close()));
});

/** The gateway's largest event-loop delay since the previous scrape, in ms. */
async function loopDelayMs(): Promise<number> {
  const res = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const match = /^gateway_event_loop_delay_max_seconds (\S+)$/m.exec(text);
  if (!match) throw new Error(`no event-loop metric in /metrics (HTTP ${res.status})`);
  return Number(match[1]) * 1000;
}

async function send(request: HostileRequest): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-api-key': key, ...request.headers };
  if (request.path === '/graphql') delete headers.authorization;
  const res = await fetch(`${gateway.url}${request.path}`, { method: request.method, headers, body: request.body as BodyInit | undefined });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

test('hostile requests: no 5xx, no event-loop stall in the gateway, and it still serves and logs', async () => {
  // One unmeasured pass first: a fresh process compiles each code path (and loads the tokenizer
  // tables) on first use, a one-time cost no request can make the gateway pay twice.
  for (const request of knownAttacks(models, 'warm')) expect((await send(request)) < 500, request.label).toBe(true);
  await loopDelayMs();

  const requests = [...knownAttacks(models, 'fuzz'), ...generatedRequests(models, GENERATED, SEED)];
  expect(requests.length).toBeGreaterThan(300);

  const serverErrors: string[] = [];
  const statuses = new Map<number, number>();
  // Each sample covers the time since the previous one: it names what ran in that window.
  const delays: Array<{ ms: number; during: string[] }> = [];
  const inFlight = new Set<string>();
  let window = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const during = [...window];
      window = new Set(inFlight);
      delays.push({ ms: await loopDelayMs(), during });
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      inFlight.add(request.label);
      window.add(request.label);
      try {
        const status = await send(request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) serverErrors.push(`${status} ← ${request.label}`);
      } catch (error) {
        serverErrors.push(`transport error ${(error as Error).message} ← ${request.label}`);
      } finally {
        inFlight.delete(request.label);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  sampling = false;
  await sampler;
  delays.push({ ms: await loopDelayMs(), during: ['(after the last request)'] });

  if (process.env.FUZZ_VERBOSE) for (const d of delays) if (d.ms > 50) console.log(d.ms.toFixed(0), d.during.join(' | ').slice(0, 600));
  if (process.env.FUZZ_VERBOSE)
    console.log('statuses', JSON.stringify([...statuses].sort()), 'samples', delays.length, 'max', Math.max(...delays.map((d) => d.ms)));
  expect(serverErrors).toEqual([]);
  // Most requests reached the endpoints' own checks (not all refused at the door), and some were served.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(5);
  expect(statuses.get(401) ?? 0).toBeLessThan(requests.length / 10);

  // A stall a request causes happens again when it is sent again; one from a busy machine (the
  // process not scheduled) does not. Each request of a slow window is replayed alone, three times.
  const byLabel = new Map(requests.map((r) => [r.label, r]));
  const stalls: string[] = [];
  for (const window of delays.filter((d) => d.ms >= MAX_LOOP_DELAY_MS)) {
    for (const label of window.during) {
      const request = byLabel.get(label);
      if (!request) continue;
      let best = Infinity;
      for (let attempt = 0; attempt < 3 && best >= MAX_LOOP_DELAY_MS; attempt++) {
        await loopDelayMs();
        await send(request);
        best = Math.min(best, await loopDelayMs());
      }
      if (best >= MAX_LOOP_DELAY_MS) stalls.push(`${best.toFixed(0)} ms ← ${label}`);
    }
  }
  expect(stalls, 'requests that hold the event loop for 100 ms or more').toEqual([]);

  // Still serving, and still logging: an ordinary request after the storm gets its log row.
  const marker = `after-fuzz-${Date.now()}`;
  const ok = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'user-agent': marker },
    body: JSON.stringify({ model: models.chat, messages: [{ role: 'user', content: 'hello after the fuzz' }] }),
  });
  expect(ok.status).toBe(200);
  const until = Date.now() + 10_000;
  let logged = false;
  while (!logged && Date.now() < until) {
    const page = await gateway.admin<{ requestLogs: { nodes: Array<{ userAgent: string | null }> } }>('{ requestLogs(first: 20) { nodes { userAgent } } }');
    logged = page.requestLogs.nodes.some((row) => row.userAgent === marker);
    if (!logged) await new Promise((r) => setTimeout(r, 200));
  }
  expect(logged, 'the request after the fuzz was logged').toBe(true);
}, 180_000);
