/**
 * A short soak: 20,000 requests (streamed and whole answers, passed through and
 * translated, and refusals) against a real gateway process. Its heap after a
 * forced full collection must reach a plateau: no growth beyond a small bound
 * between the checkpoints after the warm-up. RSS is reported and loosely bounded
 * (allocator arenas grow and are kept; that is not a leak). Every request has
 * exactly one request-log row at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminClient, createKey, createProviderWithModel, type Admin } from '../support/admin.js';

const TOTAL = 20_000;
const CONCURRENCY = 32;
const CHECKPOINTS = [4_000, 8_000, 12_000, 16_000, 20_000];
/** Heap growth allowed across the checkpoints after the first (bytes). */
const HEAP_PLATEAU_BYTES = 16 * 1024 * 1024;
const RSS_GROWTH_BYTES = 200 * 1024 * 1024;

type Memory = { heapUsed: number; rss: number };

let child: ChildProcess;
let url = '';
let admin: Admin;
const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-soak-'));
const mocks: MockUpstream[] = [];
const pending = new Map<number, (m: Memory) => void>();
let measureId = 0;

function measure(): Promise<Memory> {
  const id = ++measureId;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    child.send({ measure: id });
  });
}

beforeAll(async () => {
  mocks.push(await startOpenAIChatMock(), await startAnthropicMock());
  child = fork(path.join(import.meta.dirname, 'soak-gateway.ts'), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      DB_PATH: path.join(dataDir, 'gateway.db'),
      LOG_LEVEL: 'error',
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: { ready?: string; measured?: number } & Memory) => {
      if (message.ready) resolve(message.ready);
      if (message.measured !== undefined) pending.get(message.measured)?.(message);
    });
    child.once('exit', (code) => reject(new Error(`soak gateway exited (${code})`)));
  });
  admin = adminClient(url).admin;
  const [chat, anthropic] = mocks;
  await createProviderWithModel(admin, { name: 'soak-chat', type: 'openai', baseUrl: chat.url }, { name: 'soak-chat', upstreamModel: 'gpt-4o' });
  await createProviderWithModel(
    admin,
    { name: 'soak-anthropic', type: 'anthropic', baseUrl: anthropic.url },
    { name: 'soak-claude', upstreamModel: 'claude-sonnet-4-5-20250929' },
  );
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ stop: true });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await Promise.all(mocks.map((m) => m.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

test(`${TOTAL} requests: the heap after a full collection reaches a plateau`, async () => {
  const { key } = await createKey(admin, { name: 'soak' });
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const kinds = [
    { path: '/v1/chat/completions', body: { model: 'soak-chat', messages: [{ role: 'user', content: 'soak' }] } },
    { path: '/v1/chat/completions', body: { model: 'soak-chat', stream: true, messages: [{ role: 'user', content: 'soak' }] } },
    { path: '/v1/messages', body: { model: 'soak-chat', stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'soak' }] } },
    { path: '/v1/chat/completions', body: { model: 'soak-claude', messages: [{ role: 'user', content: 'soak' }] } },
    { path: '/v1/chat/completions', body: { model: 'no-such-model', messages: [{ role: 'user', content: 'soak' }] } },
    { path: '/v1/messages', body: { model: 'soak-chat', messages: 'not a list' } },
  ].map((k) => ({ path: k.path, body: JSON.stringify(k.body) }));

  const statuses = new Map<number, number>();
  const memory: Memory[] = [];
  let sent = 0;
  const started = Date.now();
  const sendOne = async () => {
    const kind = kinds[sent++ % kinds.length];
    const res = await request(`${url}${kind.path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-api-key': key },
      body: kind.body,
    });
    await res.body.dump({ limit: 1 << 20 });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  };
  for (const checkpoint of CHECKPOINTS) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < checkpoint) await sendOne();
      }),
    );
    memory.push(await measure());
  }
  const seconds = (Date.now() - started) / 1000;
  await agent.close();

  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `soak: ${sent} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify([...statuses])}; heap after GC ${memory.map((m) => mb(m.heapUsed)).join(' → ')} MB; RSS ${memory.map((m) => mb(m.rss)).join(' → ')} MB`,
  );
  expect(sent).toBeGreaterThanOrEqual(TOTAL);
  expect(statuses.get(200)).toBeGreaterThanOrEqual((TOTAL * 4) / 6 - CONCURRENCY);
  expect([...statuses.keys()].every((s) => s === 200 || s === 404 || s === 400)).toBe(true);
  const [first, ...later] = memory;
  const heapGrowth = Math.max(...later.map((m) => m.heapUsed)) - first.heapUsed;
  expect(heapGrowth, `heap after GC grew ${mb(heapGrowth)} MB after the warm-up`).toBeLessThan(HEAP_PLATEAU_BYTES);
  expect(memory.at(-1)!.rss - first.rss).toBeLessThan(RSS_GROWTH_BYTES);

  // Every one of them has exactly one log row (the batched writer kept up and dropped nothing).
  const countLogRows = async (): Promise<number> => {
    let count = 0;
    let after: string | null = null;
    for (;;) {
      const page: { requestLogs: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await admin(
        'query($a: String) { requestLogs(first: 200, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } } }',
        { a: after },
      );
      count += page.requestLogs.nodes.length;
      if (!page.requestLogs.pageInfo.hasNextPage) return count;
      after = page.requestLogs.pageInfo.endCursor;
    }
  };
  const until = Date.now() + 20_000;
  let logged = 0;
  while (Date.now() < until) {
    logged = await countLogRows();
    if (logged >= TOTAL) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(logged).toBe(TOTAL);
}, 180_000);
