import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asyncHandler } from '../support/mock-upstreams/serve.js';

export interface ReceivedHook {
  path: string;
  /** The query string parsed (DingTalk signs in it). */
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: any;
  at: number;
}

/**
 * Chat-bot and webhook endpoints on loopback. Each path answers the way its
 * service does on success (Slack `ok`, Feishu `{code:0}`, DingTalk and WeCom
 * `{errcode:0}`); `/refuse` answers like DingTalk refusing a bad signature.
 */
export async function startHookReceiver() {
  const hooks: ReceivedHook[] = [];
  const server = createServer(
    asyncHandler(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      hooks.push({ path: url.pathname, query: url.searchParams, headers: req.headers, raw, body, at: Date.now() });
      const kind = url.pathname.split('/')[1];
      if (kind === 'slack') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (kind === 'feishu') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"success","data":{}}');
      if (kind === 'dingtalk' || kind === 'wecom') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
      if (kind === 'refuse') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":310000,"errmsg":"sign not match"}');
      res.writeHead(204).end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hooks,
    on: (path: string) => hooks.filter((h) => h.path === path),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
