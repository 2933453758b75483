/** MCP servers and access as the gateway reads them (server/mcp); built from the database by registry.ts. */

export const MCP_TRANSPORTS = ['streamable-http', 'sse'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

export const MCP_AUTH_TYPES = ['none', 'header', 'bearer', 'oauth-client-credentials'] as const;
export type McpAuthType = (typeof MCP_AUTH_TYPES)[number];

/** How the gateway authenticates to an upstream server; `secret` is decrypted and lives only in memory. */
export type McpAuth =
  | { type: 'none' }
  | { type: 'header'; headerName: string; secret: string }
  | { type: 'bearer'; secret: string }
  | { type: 'oauth-client-credentials'; tokenUrl: string; clientId: string; secret: string; scope?: string };

/** An admin's setting for one upstream tool: off, or exposed under another name. */
export interface McpToolSetting {
  enabled?: boolean;
  name?: string;
}

export interface McpServerEntry {
  id: string;
  /** The namespace of its tools and prompts (`<name>__<tool>`), and the Responses `server_label`. */
  name: string;
  url: string;
  transport: McpTransport;
  auth: McpAuth;
  /** By upstream tool name. */
  tools: Readonly<Record<string, McpToolSetting>>;
  timeoutMs: number;
  enabled: boolean;
}

/** A key's access to one server: `tools` null = every enabled tool, else upstream tool names. */
export interface McpServerAccess {
  serverId: string;
  tools: ReadonlySet<string> | null;
}

/** Where a tool call came from: the /mcp endpoint or the gateway-run tool loop of a Responses request. */
export type McpCallSource = 'endpoint' | 'loop';

export type McpCallStatus = 'ok' | 'error' | 'timeout' | 'refused';

/** The caller of a tool, as the gateway knows it (a virtual key). */
export interface McpCaller {
  id: string;
  name: string;
  logBodies: boolean;
}
