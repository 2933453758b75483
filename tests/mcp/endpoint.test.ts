/**
 * The /mcp endpoint with the SDK's own client and a real MCP server built with
 * the SDK on loopback: a key's allow-list (all tools, some tools, none), a
 * refused or missing key, namespaced tools with rename and disable, a slow
 * tool timing out with an MCP error, a failing tool, RPM per tool call, the
 * older HTTP+SSE transport upstream, resources and prompts passed through,
 * one log row per call (bodies only when the key logs them, secrets scrubbed),
 * the Prometheus counter, and the upstream secret never in an answer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey } from '../support/admin.js';
import { waitFor } from '../support/wait.js';
import { grantMcp, mcpClient, registerMcpServer } from './support/helpers.js';
import { MCP_TOKEN, startTestMcpServer, type TestMcpServer } from './support/mcp-server.js';

let gw: TestGateway;
let upstream: TestMcpServer;
let serverId: string;
const keys = {} as Record<'all' | 'lookupOnly' | 'none' | 'quiet' | 'rpm', { key: string; id: string }>;

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

async function mcpErrorOf(work: Promise<unknown>): Promise<McpError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

beforeAll(async () => {
  upstream = await startTestMcpServer();
  gw = await startTestGateway();
  serverId = await registerMcpServer(gw, { name: 'docs', url: `${upstream.url}/mcp`, timeoutMs: 800 });
  keys.all = await createKey(gw, { logBodies: true });
  keys.lookupOnly = await createKey(gw);
  keys.none = await createKey(gw);
  keys.quiet = await createKey(gw);
  keys.rpm = await createKey(gw, { rpmLimit: 1 });
  await grantMcp(gw, keys.all.id, [{ serverId }]);
  await grantMcp(gw, keys.quiet.id, [{ serverId }]);
  await grantMcp(gw, keys.rpm.id, [{ serverId }]);
  await grantMcp(gw, keys.lookupOnly.id, [{ serverId, tools: ['lookup'] }]);
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

describe('/mcp with virtual keys', () => {
  test('an allowed key lists every tool of its server, namespaced, and calls one', async () => {
    const client = await mcpClient(gw, keys.all.key);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['docs__fail', 'docs__lookup', 'docs__slow']);
    expect(tools.find((t) => t.name === 'docs__lookup')?.inputSchema.properties).toHaveProperty('query');
    const result = await client.callTool({ name: 'docs__lookup', arguments: { query: 'capital of France' } });
    expect(text(result)).toBe('Paris is the capital of France (looked up: capital of France)');
    // The gateway authenticated to the server with the registered bearer token.
    expect(upstream.authorizations.at(-1)).toBe(`Bearer ${MCP_TOKEN}`);
    await client.close();
  });

  test("a key's tool allow-list: other tools are neither listed nor callable (MCP error)", async () => {
    const client = await mcpClient(gw, keys.lookupOnly.key);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['docs__lookup']);
    const before = upstream.calls.length;
    const error = await mcpErrorOf(client.callTool({ name: 'docs__fail', arguments: {} }));
    expect(error.code).toBe(-32602);
    expect(error.message).toContain('not available to this key');
    expect(upstream.calls.length).toBe(before);
    await client.close();
  });

  test('a key without MCP access sees no tools and is refused a call', async () => {
    const client = await mcpClient(gw, keys.none.key);
    expect((await client.listTools()).tools).toEqual([]);
    const error = await mcpErrorOf(client.callTool({ name: 'docs__lookup', arguments: { query: 'x' } }));
    expect(error.code).toBe(-32602);
    await client.close();
  });

  test('a wrong or missing key is refused with 401 and a JSON-RPC error', async () => {
    for (const headers of [{ authorization: 'Bearer sk-not-a-key' }, {} as Record<string, string>]) {
      const response = await fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await response.json()) as { jsonrpc: string; error: { message: string } };
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.message).toMatch(/API key/);
    }
    await expect(mcpClient(gw, 'sk-wrong')).rejects.toThrow();
  });

  test('GET and DELETE are refused with 405: the endpoint is stateless', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${gw.url}/mcp`, { method, headers: { authorization: `Bearer ${keys.all.key}`, accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });

  test('a slow tool times out cleanly with an MCP error; a failing tool is an error result', async () => {
    const client = await mcpClient(gw, keys.all.key);
    const started = Date.now();
    const error = await mcpErrorOf(client.callTool({ name: 'docs__slow', arguments: { ms: 3000 } }));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(error.message).toContain('did not answer within 800 ms');
    const fast = await client.callTool({ name: 'docs__slow', arguments: { ms: 10 } });
    expect(text(fast)).toBe('waited 10 ms');
    const failed = (await client.callTool({ name: 'docs__fail', arguments: {} })) as CallToolResult;
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain('the tool broke on purpose');
    await client.close();
  });

  test("the key's RPM applies per tool call", async () => {
    const client = await mcpClient(gw, keys.rpm.key);
    await client.callTool({ name: 'docs__lookup', arguments: { query: 'one' } });
    const error = await mcpErrorOf(client.callTool({ name: 'docs__lookup', arguments: { query: 'two' } }));
    expect(error.code).toBe(-32003);
    expect(error.message.toLowerCase()).toContain('rate limit');
    await client.close();
  });

  test('resources and prompts are passed through', async () => {
    const client = await mcpClient(gw, keys.all.key);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['docs://readme']);
    const read = await client.readResource({ uri: 'docs://readme' });
    expect((read.contents[0] as { text: string }).text).toBe('Read me first.');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['docs__summarize']);
    const prompt = await client.getPrompt({ name: 'docs__summarize', arguments: { text: 'abc' } });
    expect(prompt.messages[0].content).toEqual({ type: 'text', text: 'Summarize: abc' });
    await client.close();
  });
});

describe('tool settings and transports', () => {
  test('a renamed tool is offered under its new name and called under the old one; a disabled one is gone', async () => {
    await gw.admin('mutation($id: ID!, $i: UpdateMcpServerInput!) { updateMcpServer(id: $id, input: $i) { id } }', {
      id: serverId,
      i: {
        tools: [
          { tool: 'lookup', name: 'find' },
          { tool: 'fail', enabled: false },
        ],
      },
    });
    const client = await mcpClient(gw, keys.all.key);
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'docs__find'), { what: 'the renamed tool' });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['docs__find', 'docs__slow']);
    expect(text(await client.callTool({ name: 'docs__find', arguments: { query: 'q' } }))).toContain('Paris');
    expect(upstream.calls.at(-1)).toEqual({ name: 'lookup', args: { query: 'q' } });
    await mcpErrorOf(client.callTool({ name: 'docs__fail', arguments: {} }));
    await gw.admin('mutation($id: ID!, $i: UpdateMcpServerInput!) { updateMcpServer(id: $id, input: $i) { id } }', { id: serverId, i: { tools: [] } });
    await client.close();
  });

  test('an upstream on the older HTTP+SSE transport', async () => {
    const legacyId = await registerMcpServer(gw, { name: 'legacy', url: `${upstream.url}/sse`, transport: 'sse' });
    await grantMcp(gw, keys.quiet.id, [{ serverId }, { serverId: legacyId }]);
    const client = await mcpClient(gw, keys.quiet.key);
    const names = await waitFor(async () => {
      const listed = (await client.listTools()).tools.map((t) => t.name);
      return listed.includes('legacy__lookup') && listed;
    });
    expect(names).toContain('docs__lookup');
    expect(text(await client.callTool({ name: 'legacy__lookup', arguments: { query: 'sse' } }))).toContain('looked up: sse');
    await client.close();
  });

  test('the admin API shows servers, their tools and health, never the secret', async () => {
    const data = await gw.admin<{ mcpServers: Array<Record<string, any>> }>(
      '{ mcpServers { id name url transport authType authSecretHint hasAuthSecret probe { ok latencyMs error tools { name exposedName enabled } } } }',
    );
    expect(JSON.stringify(data)).not.toContain(MCP_TOKEN);
    const docs = data.mcpServers.find((s) => s.name === 'docs')!;
    expect(docs).toMatchObject({ authType: 'bearer', hasAuthSecret: true, probe: { ok: true, error: null } });
    expect(docs.probe.tools.map((t: { exposedName: string }) => t.exposedName).sort()).toEqual(['docs__fail', 'docs__lookup', 'docs__slow']);
    const broken = await registerMcpServer(gw, { name: 'broken', url: `${upstream.url}/mcp`, authSecret: 'wrong-token-123456' });
    const probe = await gw.admin<{ mcpServer: { probe: { ok: boolean; error: string } } }>('query($id: ID!) { mcpServer(id: $id) { probe { ok error } } }', {
      id: broken,
    });
    expect(probe.mcpServer.probe.ok).toBe(false);
    expect(probe.mcpServer.probe.error).not.toContain('wrong-token-123456');
  });

  test('bad input is refused by the admin API', async () => {
    const bad = await gw.gql(
      'mutation($i: CreateMcpServerInput!) { createMcpServer(input: $i) { id } }',
      { i: { name: 'a__b', url: 'ftp://x' } },
      await gw.adminToken(),
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('logs and metrics', () => {
  test('one log row per call: server, tool, latency, status; bodies only for keys that log them; secrets scrubbed', async () => {
    // Every call above: 6 of the logging key, 1 on the SSE server, 2 under RPM, 2 refused (allow-list, no access).
    const rows = await waitFor(async () => {
      const found = await gw.services.db.mcpCallLog.findMany({ orderBy: { createdAt: 'asc' } });
      return found.length >= 11 && found;
    });
    const ofKey = (id: string) => rows.filter((r) => r.keyId === id);
    const all = ofKey(keys.all.id);
    expect(all.map((r) => `${r.serverName}/${r.tool}/${r.status}`)).toEqual([
      'docs/lookup/ok',
      'docs/slow/timeout',
      'docs/slow/ok',
      'docs/fail/error',
      'docs/lookup/ok',
      'docs/docs__fail/refused',
    ]);
    expect(all[0].arguments).toBe('{"query":"capital of France"}');
    expect(all[0].result).toContain('Paris');
    expect(all.every((r) => r.latencyMs >= 0 && r.source === 'endpoint')).toBe(true);
    expect(all[1].latencyMs).toBeGreaterThanOrEqual(700);
    const quiet = ofKey(keys.quiet.id);
    expect(quiet.length).toBe(1);
    expect(quiet[0]).toMatchObject({ serverName: 'legacy', tool: 'lookup', status: 'ok', arguments: null, result: null });
    expect(ofKey(keys.rpm.id).map((r) => r.status)).toEqual(['ok', 'refused']);
    expect(ofKey(keys.lookupOnly.id).map((r) => r.status)).toEqual(['refused']);
    expect(ofKey(keys.none.id).map((r) => r.status)).toEqual(['refused']);
    expect(rows.length).toBe(11);
    expect(JSON.stringify(rows)).not.toContain(MCP_TOKEN);
  });

  test('the Prometheus counter', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_mcp_tool_calls_total\{server="docs",tool="lookup",status="ok",source="endpoint"\} [1-9]/);
    expect(metrics).toMatch(/gateway_mcp_tool_calls_total\{server="docs",tool="slow",status="timeout",source="endpoint"\} 1/);
    expect(metrics).not.toContain(MCP_TOKEN);
  });
});
