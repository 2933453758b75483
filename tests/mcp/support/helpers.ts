import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TestGateway } from '../../support/gateway.js';
import { MCP_TOKEN } from './mcp-server.js';

/** An MCP server registered through the admin API; returns its id. */
export async function registerMcpServer(gw: TestGateway, input: Record<string, unknown>): Promise<string> {
  const data = await gw.admin<{ createMcpServer: { id: string } }>('mutation($i: CreateMcpServerInput!) { createMcpServer(input: $i) { id } }', {
    i: { authType: 'bearer', authSecret: MCP_TOKEN, ...input },
  });
  return data.createMcpServer.id;
}

export async function grantMcp(gw: TestGateway, keyId: string, access: Array<{ serverId: string; tools?: string[] | null }>): Promise<void> {
  await gw.admin('mutation($k: ID!, $a: [McpKeyAccessInput!]!) { setMcpKeyAccess(keyId: $k, access: $a) { serverId } }', { k: keyId, a: access });
}

/** The SDK's own client on the gateway's /mcp with a virtual key. */
export async function mcpClient(gw: TestGateway, key: string): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}
