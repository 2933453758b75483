import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { MCP_TRANSPORTS, type McpAuth, type McpServerAccess, type McpServerEntry, type McpToolSetting, type McpTransport } from './types.js';

export interface McpConfig {
  servers: McpServerEntry[];
  /** By virtual key id. */
  access: Map<string, McpServerAccess[]>;
}

type ServerRow = Awaited<ReturnType<Db['mcpServer']['findMany']>>[number];

/** Every MCP server (secrets opened) and every key's access, from the database; off the request path. */
export async function loadMcpConfig(db: Db, secretBox: SecretBox): Promise<McpConfig> {
  const [rows, grants] = await Promise.all([db.mcpServer.findMany({ orderBy: { name: 'asc' } }), db.mcpKeyAccess.findMany()]);
  const access = new Map<string, McpServerAccess[]>();
  for (const grant of grants) {
    const tools = Array.isArray(grant.tools) ? new Set(grant.tools.filter((t): t is string => typeof t === 'string')) : null;
    const list = access.get(grant.keyId) ?? [];
    list.push({ serverId: grant.serverId, tools });
    access.set(grant.keyId, list);
  }
  return { servers: rows.map((row) => serverEntry(row, secretBox)), access };
}

export function serverEntry(row: ServerRow, secretBox: SecretBox): McpServerEntry {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    transport: (MCP_TRANSPORTS as readonly string[]).includes(row.transport) ? (row.transport as McpTransport) : 'streamable-http',
    auth: authOf(row, secretBox),
    tools: toolSettings(row.tools),
    timeoutMs: row.timeoutMs,
    enabled: row.enabled,
  };
}

function authOf(row: ServerRow, secretBox: SecretBox): McpAuth {
  const secret = row.authSecretEncrypted ? secretBox.open(row.authSecretEncrypted) : '';
  switch (row.authType) {
    case 'header':
      return { type: 'header', headerName: row.authHeaderName ?? 'authorization', secret };
    case 'bearer':
      return { type: 'bearer', secret };
    case 'oauth-client-credentials':
      return {
        type: 'oauth-client-credentials',
        tokenUrl: row.oauthTokenUrl ?? '',
        clientId: row.oauthClientId ?? '',
        secret,
        ...(row.oauthScope && { scope: row.oauthScope }),
      };
    default:
      return { type: 'none' };
  }
}

export function toolSettings(value: unknown): Record<string, McpToolSetting> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, McpToolSetting> = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object') continue;
    const s = raw as { enabled?: unknown; name?: unknown };
    out[name] = { ...(typeof s.enabled === 'boolean' && { enabled: s.enabled }), ...(typeof s.name === 'string' && s.name && { name: s.name }) };
  }
  return out;
}
