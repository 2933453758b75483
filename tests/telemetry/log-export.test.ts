import { createServer } from 'node:http';
import { asyncHandler } from '../support/mock-upstreams/serve.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createProviderWithModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';

interface Post {
  headers: Record<string, string | string[] | undefined>;
  lines: any[];
  status: number;
}

/** A log sink on loopback: answers the statuses queued in `script` (then 200) and records each POST's JSON lines. */
async function startSink() {
  const posts: Post[] = [];
  const script: number[] = [];
  const server = createServer(
    asyncHandler(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = script.shift() ?? 200;
      posts.push({
        headers: req.headers,
        lines: text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        status,
      });
      res.writeHead(status).end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    posts,
    script,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('request log export to an HTTP sink (JSON lines)', () => {
  let gw: TestGateway;
  let upstream: MockUpstream;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let key: string;

  const chat = async (content: string) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'exported', messages: [{ role: 'user', content }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
  };
  const accepted = () => sink.posts.filter((p) => p.status === 200).flatMap((p) => p.lines);

  beforeAll(async () => {
    sink = await startSink();
    gw = await startTestGateway({
      LOG_EXPORT_HTTP_URL: sink.url,
      LOG_EXPORT_HTTP_HEADERS: 'authorization=Bearer%20sink-token,x-tenant=gw1',
      REQUEST_LOG_FLUSH_MS: '100',
    });
    upstream = await startOpenAIChatMock();
    await createProviderWithModel(gw, { name: 'p', type: 'openai', baseUrl: upstream.url }, { name: 'exported', upstreamModel: 'gpt-4o' });
    key = (await createKey(gw, { name: 'exporter' })).key;
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await sink?.close();
  });

  test('rows arrive as JSON lines with the configured headers, the same rows the database keeps', async () => {
    await chat('first');
    await chat('second');
    const rows = await waitFor(() => accepted().length >= 2 && accepted(), { what: 'two exported rows' });
    const post = sink.posts.find((p) => p.status === 200)!;
    expect(post.headers['content-type']).toBe('application/x-ndjson');
    expect(post.headers.authorization).toBe('Bearer sink-token');
    expect(post.headers['x-tenant']).toBe('gw1');
    expect(rows[0]).toMatchObject({
      keyName: 'exporter',
      requestedModel: 'exported',
      targetModel: 'gpt-4o',
      status: 200,
      clientApi: 'chat-completions',
      inputTokens: 12,
      outputTokens: 8,
    });
    const ids = rows.map((r: { id: string }) => r.id);
    await waitFor(async () => (await gw.services.db.requestLog.count({ where: { id: { in: ids } } })) === ids.length, {
      what: 'the same rows in the database',
    });
  });

  test('a failing sink keeps its rows and gets them again; each row is accepted once', async () => {
    const before = accepted().length;
    sink.script.push(503, 503);
    await chat('during the outage');
    await waitFor(() => sink.posts.filter((p) => p.status === 503).length >= 2, { what: 'two failed posts' });
    const failedIds = sink.posts.filter((p) => p.status === 503).flatMap((p) => p.lines.map((l: { id: string }) => l.id));
    const rows = await waitFor(() => accepted().length > before && accepted(), { timeoutMs: 10_000, what: 'the retried row' });
    const ids = rows.map((r: { id: string }) => r.id);
    expect(ids).toContain(failedIds[0]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a sink refusing a batch (400) has it dropped, not retried forever', async () => {
    sink.script.push(400);
    await chat('refused');
    await waitFor(() => sink.posts.some((p) => p.status === 400), { what: 'the refused post' });
    const refusedAt = sink.posts.findIndex((p) => p.status === 400);
    const refusedId = sink.posts[refusedAt].lines[0].id;
    await chat('after the refusal');
    await waitFor(() => sink.posts.slice(refusedAt + 1).some((p) => p.status === 200), { what: 'the next accepted post' });
    expect(accepted().map((r: { id: string }) => r.id)).not.toContain(refusedId);
  });
});
