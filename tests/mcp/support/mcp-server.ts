/**
 * A real MCP server built with the SDK, on loopback: Streamable HTTP at `/mcp`
 * (stateless) and the older HTTP+SSE transport at `/sse` + `/messages`. Every
 * request must carry `Authorization: Bearer <token>`. Tools: `lookup` (answers
 * at once, read-only), `slow` (waits `ms` milliseconds), `fail` (throws); one
 * resource and one prompt, for the pass-through.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const MCP_TOKEN = 'upstream-mcp-token-5f2c9a';

export interface TestMcpServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Authorization headers the server saw, in order. */
  authorizations: string[];
  /** Tool calls that reached the server. */
  calls: Array<{ name: string; args: unknown }>;
  close(): Promise<void>;
}

function buildServer(calls: TestMcpServer['calls']): McpServer {
  const server = new McpServer({ name: 'test-docs', version: '1.0.0' });
  server.registerTool(
    'lookup',
    { description: 'Looks up a fact', inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } },
    async ({ query }) => {
      calls.push({ name: 'lookup', args: { query } });
      return { content: [{ type: 'text', text: `Paris is the capital of France (looked up: ${query})` }] };
    },
  );
  server.registerTool('slow', { description: 'Answers after a while', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    calls.push({ name: 'slow', args: { ms } });
    await new Promise((r) => setTimeout(r, ms));
    return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
  });
  server.registerTool('fail', { description: 'Always fails', inputSchema: {} }, async () => {
    calls.push({ name: 'fail', args: {} });
    throw new Error('the tool broke on purpose');
  });
  server.registerResource('readme', 'docs://readme', { description: 'The readme', mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'Read me first.' }],
  }));
  server.registerPrompt('summarize', { description: 'Summarize a text', argsSchema: { text: z.string() } }, ({ text }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Summarize: ${text}` } }],
  }));
  return server;
}

export async function startTestMcpServer(): Promise<TestMcpServer> {
  const authorizations: string[] = [];
  const calls: TestMcpServer['calls'] = [];
  const sse = new Map<string, SSEServerTransport>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? '';
    authorizations.push(auth);
    if (auth !== `Bearer ${MCP_TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/mcp') {
      const server = buildServer(calls);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      sse.set(transport.sessionId, transport);
      res.on('close', () => sse.delete(transport.sessionId));
      await buildServer(calls).connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!transport) return void res.writeHead(404).end('no session');
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end('not found');
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
