import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from 'pino';
import { GatewayError } from '../core/error.js';
import { once } from '../core/once.js';
import { authenticate } from '../keys/authenticate.js';
import type { ConfigSnapshot, KeyEntry } from '../snapshot/types.js';
import { sdkTypes, type McpGateway } from './gateway.js';

const SERVER_INFO = { name: 'llm-gateway', version: '1.0.0' };

/** The SDK's server side, imported on the first /mcp request (a gateway nobody asks for MCP does not hold it in memory). */
const loadServerSdk = once(() =>
  Promise.all([import('@modelcontextprotocol/sdk/server/index.js'), import('@modelcontextprotocol/sdk/server/streamableHttp.js'), sdkTypes()]),
);

/**
 * `/mcp`: one Streamable HTTP MCP server (the SDK's, stateless: a fresh server
 * and transport per HTTP request) over every MCP server the caller's virtual
 * key may use. The key authenticates with `Authorization: Bearer`; a refused
 * key gets a JSON-RPC error with the HTTP status.
 */
export function mcpEndpoint(deps: { gateway: McpGateway; snapshot: { readonly current: ConfigSnapshot }; logger: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let key: KeyEntry;
    try {
      key = authenticate(req.headers, deps.snapshot.current);
    } catch (error) {
      const status = error instanceof GatewayError ? error.status : 401;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 && { 'www-authenticate': 'Bearer' }) });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: error instanceof Error ? error.message : 'Unauthorized' }, id: null }));
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no session to stream notifications on or to end (the spec lets a server refuse both with 405).
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; send requests with POST' },
          id: null,
        }),
      );
      return;
    }
    const [{ Server: SdkServer }, { StreamableHTTPServerTransport }, schemas] = await loadServerSdk();
    const server = mcpServerFor(SdkServer, schemas, deps.gateway, key, req);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      deps.logger.error({ err: error }, 'MCP endpoint request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      }
    }
  };
}

/** The aggregating server of one request, for one key. */
function mcpServerFor(
  SdkServer: typeof Server,
  schemas: Awaited<ReturnType<typeof sdkTypes>>,
  gateway: McpGateway,
  key: KeyEntry,
  req: IncomingMessage,
): Server {
  const {
    CallToolRequestSchema,
    GetPromptRequestSchema,
    ListPromptsRequestSchema,
    ListResourcesRequestSchema,
    ListToolsRequestSchema,
    ReadResourceRequestSchema,
  } = schemas;
  const server = new SdkServer(SERVER_INFO, { capabilities: { tools: {}, resources: {}, prompts: {} } });
  const abort = new AbortController();
  req.once('close', () => abort.abort());
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await gateway.toolsFor(key)).map((t) => t.tool) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
    gateway.callTool(key, request.params.name, request.params.arguments, 'endpoint', extra.signal ?? abort.signal),
  );
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: await gateway.resourcesFor(key) }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => gateway.readResource(key, request.params.uri));
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await gateway.promptsFor(key) }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => gateway.getPrompt(key, request.params.name, request.params.arguments));
  return server;
}
