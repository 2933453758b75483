/**
 * Every request is logged once, with the truth: a client that leaves is a 499
 * (not the upstream error its leaving caused), a stream the client received
 * whole is a success whatever the connections do afterwards, and with the
 * first failover target killed under load no complete stream is logged as a
 * failure, nor a cut one as a success.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RequestRecord } from '../../server/core/request-record.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startBrokenUpstream, type BrokenUpstream } from '../support/mock-upstreams/broken.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, createModel, createProvider, parseSse } from '../support/proxy-fixture.js';
import { waitFor } from '../support/wait.js';
import { RawConnection, requestText } from './raw-http.js';
import { createVirtualModel } from '../support/admin.js';

let gw: TestGateway;
let broken: BrokenUpstream;
let key: string;
const records: RequestRecord[] = [];
const byAgent = (agent: string) => records.filter((r) => r.userAgent === agent);

beforeAll(async () => {
  broken = await startBrokenUpstream();
  gw = await startTestGateway();
  gw.services.recorder.subscribe((record) => void records.push(record));
  const providerId = await createProvider(gw, { name: 'broken-chat', type: 'openai', baseUrl: broken.baseUrlFor('openai-chat') });
  await createModel(gw, providerId, 'acc-chat', 'gpt-4o');
  key = (await createKey(gw)).key;
});
afterAll(async () => {
  await gw?.stop();
  await broken?.close();
});

const chatBody = (stream: boolean, content = 'hello') => JSON.stringify({ model: 'acc-chat', stream, messages: [{ role: 'user', content }] });

describe('a client that leaves', () => {
  test('non-stream, before the upstream answers → 499 client_closed, and the upstream call is cancelled', async () => {
    broken.fault = 'slow';
    broken.delayMs = 1500;
    const abortedBefore = broken.aborted;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': 'leaves-early' },
        body: chatBody(false),
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    await waitFor(() => byAgent('leaves-early').length > 0, { what: 'the log row' });
    const [row] = byAgent('leaves-early');
    expect(row).toMatchObject({ status: 499, errorClass: 'client_closed', attempts: 1 });
    expect(row.errorMessage).toContain('before the answer was sent');
    expect(row.errorMessage).not.toMatch(/could not reach/i);
    await waitFor(() => broken.aborted > abortedBefore, { what: 'the upstream call to be cancelled' });
    broken.delayMs = 0;
  });

  test('stream, after the first chunks → 499 with what was delivered', async () => {
    const mock = await startOpenAIChatMock();
    try {
      const providerId = await createProvider(gw, { name: 'slow-chat', type: 'openai', baseUrl: mock.url });
      await createModel(gw, providerId, 'acc-slow', 'gpt-4o');
      mock.enqueue({ type: 'text', text: 'one two three four five six seven eight', chunks: 8, chunkDelayMs: 150 });
      const conn = await RawConnection.open(gw.url);
      const body = JSON.stringify({ model: 'acc-slow', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      conn.write(
        requestText(
          'POST',
          '/v1/chat/completions',
          { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'leaves-mid-stream' },
          body,
        ),
      );
      await new Promise((r) => setTimeout(r, 400));
      conn.destroy();
      await waitFor(() => byAgent('leaves-mid-stream').length > 0, { what: 'the log row' });
      const [row] = byAgent('leaves-mid-stream');
      expect(row).toMatchObject({ status: 499, errorClass: 'client_closed', stream: true });
      expect(row.errorMessage).toContain('after part of the answer');
      expect(row.ttftMs).toBeGreaterThan(0);
    } finally {
      await mock.close();
    }
  });

  test('a stream received whole, then the client resets at once → 200', async () => {
    broken.fault = 'complete';
    const conn = await RawConnection.open(gw.url);
    const body = chatBody(true);
    conn.write(
      requestText(
        'POST',
        '/v1/chat/completions',
        { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'resets-after-done' },
        body,
      ),
    );
    const res = await conn.response();
    expect(res.body).toContain('[DONE]');
    conn.destroy();
    await waitFor(() => byAgent('resets-after-done').length > 0, { what: 'the log row' });
    expect(byAgent('resets-after-done')).toHaveLength(1);
    expect(byAgent('resets-after-done')[0]).toMatchObject({ status: 200, stream: true });
  });
});

describe('failover with the first target killed under load', () => {
  let primary: MockUpstream;
  let secondary: MockUpstream;

  beforeAll(async () => {
    primary = await startOpenAIChatMock();
    secondary = await startAnthropicMock();
    const p1 = await createProvider(gw, { name: 'fo-primary', type: 'openai', baseUrl: primary.url });
    const m1 = await createModel(gw, p1, 'fo-primary-model', 'gpt-4o');
    const p2 = await createProvider(gw, { name: 'fo-secondary', type: 'anthropic', baseUrl: secondary.url });
    const m2 = await createModel(gw, p2, 'fo-secondary-model', 'claude-sonnet-4-5');
    await createVirtualModel(gw, {
      name: 'fo-under-load',
      strategy: 'FAILOVER',
      targets: [
        { modelId: m1, weight: 1, priority: 0 },
        { modelId: m2, weight: 1, priority: 1 },
      ],
      options: { retries: 2, failureThreshold: 3 },
    });
  });
  afterAll(async () => {
    await primary?.close().catch(() => {});
    await secondary?.close();
  });

  test('complete streams are 200, cut ones are errors, one row each, attempts as they happened', async () => {
    const count = 30;
    for (let i = 0; i < count; i++) primary.enqueue({ type: 'text', text: 'alpha beta gamma delta epsilon zeta', chunks: 6, chunkDelayMs: 40 });
    const run = async (i: number) => {
      await new Promise((r) => setTimeout(r, i * 20));
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': `load-${i}` },
        body: JSON.stringify({ model: 'fo-under-load', stream: true, messages: [{ role: 'user', content: `request ${i}` }] }),
      });
      const text = await res.text().catch(() => '');
      const events = res.status === 200 ? parseSse(text) : [];
      const complete = events.at(-1)?.data === '[DONE]' && !events.some((e) => e.data?.error);
      return { i, status: res.status, complete };
    };
    const results = Promise.all(Array.from({ length: count }, (_, i) => run(i)));
    // Kill the first target while some streams are on it, some done, some not yet started.
    setTimeout(() => void primary.close(), 250);
    const outcomes = await results;
    await waitFor(() => outcomes.every(({ i }) => byAgent(`load-${i}`).length > 0), { what: 'a log row for every request', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));

    let completeCount = 0;
    let failedOver = 0;
    for (const { i, status, complete } of outcomes) {
      const rows = byAgent(`load-${i}`);
      expect(rows, `request ${i}`).toHaveLength(1);
      const row = rows[0];
      if (complete) {
        completeCount++;
        expect(row.status, `request ${i} was received whole`).toBe(200);
      } else {
        expect(row.status, `request ${i} was cut (HTTP ${status})`).toBeGreaterThanOrEqual(500);
      }
      if (row.providerName === 'fo-secondary' && row.status === 200) {
        failedOver++;
        expect(row.attempts).toBeGreaterThanOrEqual(1);
      }
      if (row.providerName === 'fo-primary') expect(row.attempts).toBe(1);
    }
    // The run did exercise all three cases: done before the kill, cut by it, served by the next target.
    expect(completeCount).toBeGreaterThan(0);
    expect(failedOver).toBeGreaterThan(0);
  });
});
