import { createServer } from 'node:http';
import { asyncHandler } from '../support/mock-upstreams/serve.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createProviderWithModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { waitFor } from '../support/wait.js';

interface Put {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * The PutObject part of the S3 API on loopback, path-style (`PUT /<bucket>/<key>`):
 * answers the statuses queued in `script` (then 200 with an ETag), records each upload.
 */
async function startBucket() {
  const puts: Put[] = [];
  const refused: string[] = [];
  const script: number[] = [];
  const server = createServer(
    asyncHandler(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method !== 'PUT') return void res.writeHead(405).end();
      const status = script.shift() ?? 200;
      if (status !== 200) {
        refused.push(Buffer.concat(chunks).toString('utf8'));
        res
          .writeHead(status, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>');
        return;
      }
      puts.push({ path: decodeURIComponent(req.url ?? ''), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { etag: '"0123456789abcdef"' }).end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts,
    refused,
    script,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('request log export to an S3-compatible bucket', () => {
  let gw: TestGateway;
  let upstream: MockUpstream;
  let bucket: Awaited<ReturnType<typeof startBucket>>;
  let key: string;

  const chat = async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bucketed', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
  };
  // Lines of every stored object (JSON, the very line the gateway wrote).
  const stored = () =>
    bucket.puts.flatMap((p) =>
      p.body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; requestedModel: string; createdAt: string }),
    );

  beforeAll(async () => {
    bucket = await startBucket();
    gw = await startTestGateway({
      LOG_EXPORT_S3_BUCKET: 'gateway-logs',
      LOG_EXPORT_S3_ENDPOINT: bucket.url,
      LOG_EXPORT_S3_REGION: 'eu-west-1',
      LOG_EXPORT_S3_PREFIX: 'prod/requests/',
      LOG_EXPORT_S3_ACCESS_KEY_ID: 'AKIATESTKEY',
      LOG_EXPORT_S3_SECRET_ACCESS_KEY: 'test-secret-access-key',
      LOG_EXPORT_S3_WINDOW_SECONDS: '1',
    });
    upstream = await startOpenAIChatMock();
    await createProviderWithModel(gw, { name: 'p', type: 'openai', baseUrl: upstream.url }, { name: 'bucketed', upstreamModel: 'gpt-4o' });
    key = (await createKey(gw, { name: 'bucket-key' })).key;
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await bucket?.close();
  });

  test('a window of rows is one JSON-lines object under prefix/YYYY/MM/DD, signed with SigV4', async () => {
    await chat();
    await chat();
    const rows = await waitFor(() => stored().length >= 2 && stored(), { what: 'two stored rows' });
    expect(rows.every((r) => r.requestedModel === 'bucketed')).toBe(true);
    const put = bucket.puts[0];
    const day = rows[0].createdAt.slice(0, 10).replaceAll('-', '/');
    expect(put.path).toMatch(
      new RegExp(`^/gateway-logs/prod/requests/${day}/\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z_[0-9a-f]{8}_\\d+\\.jsonl(\\?x-id=PutObject)?$`),
    );
    expect(put.headers['content-type']).toBe('application/x-ndjson');
    expect(String(put.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIATESTKEY\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    // Rows of one object share a window.
    for (const p of bucket.puts) {
      const windows = new Set(
        p.body
          .split('\n')
          .filter(Boolean)
          .map((l) => Math.floor(new Date(JSON.parse(l).createdAt).getTime() / 1000)),
      );
      expect(windows.size).toBe(1);
    }
  });

  test('an upload the bucket refuses (503 SlowDown) is retried: the rows arrive once', async () => {
    const before = stored().length;
    bucket.script.push(503);
    await chat();
    const rows = await waitFor(() => stored().length > before && stored(), { timeoutMs: 10_000, what: 'the retried upload' });
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The refused upload held the same row that arrived later.
    expect(bucket.refused).toHaveLength(1);
    const refusedId = JSON.parse(bucket.refused[0].split('\n')[0]).id;
    expect(ids).toContain(refusedId);
  });
});
