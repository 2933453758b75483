/**
 * The baseline: the thinnest Node.js forwarder of the same requests. node:http
 * in, undici out (the client library the gateway uses, pooled the same way),
 * no parsing, no logic. Whatever a Node gateway adds is measured against this.
 *
 * Run alone: `UPSTREAM=http://127.0.0.1:PORT node --import tsx bench/serve.ts bare`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { closeServer, type RunningServer } from './mock-upstream.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startBareProxy(upstream: string, port = 0): Promise<RunningServer> {
  // Same pool settings as the gateway's upstream agent.
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });
  // The handler answers every failure itself (502), so nothing is left to await.
  const server = createServer((req, res) => void relay(req, res));
  async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const upstreamRes = await request(upstream + req.url, {
        method: req.method as 'POST',
        headers: forwardable(req.headers),
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
        dispatcher: agent,
      });
      res.writeHead(upstreamRes.statusCode, forwardable(upstreamRes.headers));
      await pipeline(upstreamRes.body, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
    }
  }
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: async () => {
      await closeServer(server);
      await agent.close();
    },
  };
}
