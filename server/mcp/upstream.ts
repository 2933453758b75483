import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { OAuthTokens, upstreamFetch } from './upstream-fetch.js';
import type { McpServerEntry } from './types.js';

const CLIENT_INFO = { name: 'llm-gateway', version: '1.0.0' };

/**
 * One upstream MCP server as a client of it (the SDK's Client over Streamable
 * HTTP or the older HTTP+SSE transport). Connects on first use, and again after
 * a failure, so a restarted server is picked up; every request has the server's
 * timeout.
 */
export class McpUpstream {
  private client?: Promise<Client>;
  private readonly tokens = new OAuthTokens();

  constructor(readonly entry: McpServerEntry) {}

  async listTools(): Promise<Tool[]> {
    return this.use(async (c) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await c.listTools(cursor ? { cursor } : {}, this.options());
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor && tools.length < 10_000);
      return tools;
    });
  }

  async callTool(name: string, args: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<CallToolResult> {
    return this.use(async (c) => (await c.callTool({ name, arguments: args ?? {} }, undefined, this.options(signal))) as CallToolResult);
  }

  async listResources(): Promise<Resource[]> {
    return this.use(async (c) => (c.getServerCapabilities()?.resources ? (await c.listResources({}, this.options())).resources : []));
  }

  async readResource(uri: string): Promise<ReadResourceResult> {
    return this.use((c) => c.readResource({ uri }, this.options()));
  }

  async listPrompts(): Promise<Prompt[]> {
    return this.use(async (c) => (c.getServerCapabilities()?.prompts ? (await c.listPrompts({}, this.options())).prompts : []));
  }

  async getPrompt(name: string, args: Record<string, string> | undefined): Promise<GetPromptResult> {
    return this.use((c) => c.getPrompt({ name, ...(args && { arguments: args }) }, this.options()));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.then((c) => c.close()).catch(() => {});
  }

  private options(signal?: AbortSignal) {
    return { timeout: this.entry.timeoutMs, maxTotalTimeout: this.entry.timeoutMs, ...(signal && { signal }) };
  }

  private async use<T>(work: (client: Client) => Promise<T>): Promise<T> {
    this.client ??= this.connect();
    const pending = this.client;
    try {
      return await work(await pending);
    } catch (error) {
      // A broken session or a restarted server: the next call connects afresh.
      if (this.client === pending && !isToolLevel(error)) {
        this.client = undefined;
        void pending.then((c) => c.close()).catch(() => {});
      }
      throw error;
    }
  }

  private async connect(): Promise<Client> {
    // The SDK's client side is imported on the first connection: without MCP servers it is never loaded.
    const { Client: SdkClient } = await import('@modelcontextprotocol/sdk/client/index.js');
    const client = new SdkClient(CLIENT_INFO, { capabilities: {} });
    const fetch = upstreamFetch(this.entry, this.tokens);
    const url = new URL(this.entry.url);
    const transport: Transport =
      this.entry.transport === 'sse'
        ? new (await import('@modelcontextprotocol/sdk/client/sse.js')).SSEClientTransport(url, { fetch, eventSourceInit: { fetch } })
        : new (await import('@modelcontextprotocol/sdk/client/streamableHttp.js')).StreamableHTTPClientTransport(url, { fetch });
    await client.connect(transport, { timeout: this.entry.timeoutMs });
    return client;
  }
}

/** A JSON-RPC error the server answered (the session is fine), as opposed to a broken connection or a timeout. */
function isToolLevel(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code !== -32000 && code !== -32001;
}
