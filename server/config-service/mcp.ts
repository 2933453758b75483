import { z } from 'zod';
import { maskSecret } from '../crypto/secret-box.js';
import { MCP_AUTH_TYPES, MCP_TRANSPORTS, SERVER_NAME_PATTERN } from '../mcp/index.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError, unique } from './errors.js';

const httpUrl = z
  .string()
  .trim()
  .url('must be an absolute http(s) URL')
  .refine((v) => /^https?:\/\//.test(v), 'must use http or https');
const toolSetting = z.object({
  enabled: z.boolean().optional(),
  name: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'tool names are letters, digits, _ . -')
    .optional(),
});
const fields = {
  name: z.string().trim().regex(SERVER_NAME_PATTERN, 'letters, digits and single dashes, at most 48, starting with a letter or digit'),
  url: httpUrl,
  transport: z.enum(MCP_TRANSPORTS).optional(),
  authType: z.enum(MCP_AUTH_TYPES).optional(),
  authHeaderName: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes')
    .nullable()
    .optional(),
  /** The header value, bearer token or client secret; write-only. */
  authSecret: z.string().trim().max(8192).nullable().optional(),
  oauthTokenUrl: httpUrl.nullable().optional(),
  oauthClientId: z.string().trim().max(512).nullable().optional(),
  oauthScope: z.string().trim().max(1024).nullable().optional(),
  tools: z.record(z.string(), toolSetting).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  enabled: z.boolean().optional(),
};
export const createMcpServerSchema = z.object(fields);
export const updateMcpServerSchema = z.object(fields).partial();
export type CreateMcpServer = z.infer<typeof createMcpServerSchema>;
export type UpdateMcpServer = z.infer<typeof updateMcpServerSchema>;

export const keyAccessSchema = z.array(z.object({ serverId: z.string().min(1), tools: z.array(z.string().min(1)).nullable().optional() }));
export type KeyAccessInput = z.infer<typeof keyAccessSchema>;

const duplicate = (name: string | undefined) => `An MCP server named "${name}" already exists`;

/**
 * MCP servers (server/mcp) and each key's access to them. Auth secrets are
 * sealed at rest like provider keys and never read back; the after-change step
 * reloads the snapshot, which the MCP gateway follows.
 */
export function mcpConfig(deps: EntityDeps) {
  const { db, secretBox } = deps;
  const sealed = (secret: string | null | undefined) =>
    secret === undefined
      ? {}
      : secret
        ? { authSecretEncrypted: secretBox.seal(secret), authSecretHint: maskSecret(secret) }
        : { authSecretEncrypted: null, authSecretHint: null };

  function checkAuth(data: { authType?: string; authHeaderName?: string | null; oauthTokenUrl?: string | null; oauthClientId?: string | null }) {
    if (data.authType === 'header' && !data.authHeaderName) throw new ConfigInputError('A header name is required for header auth', 'authHeaderName');
    if (data.authType === 'oauth-client-credentials' && (!data.oauthTokenUrl || !data.oauthClientId)) {
      throw new ConfigInputError('OAuth client credentials need a token URL and a client id', data.oauthTokenUrl ? 'oauthClientId' : 'oauthTokenUrl');
    }
  }

  return {
    async create(actor: ConfigActor, data: CreateMcpServer) {
      checkAuth(data);
      const { authSecret, ...rest } = data;
      const created = await unique(() => db.mcpServer.create({ data: { ...rest, ...sealed(authSecret) } }), duplicate(data.name), 'name');
      await deps.changed([{ actor, entity: 'mcpServer', action: 'create', id: created.id, name: created.name, after: created }]);
      return created;
    },

    async update(actor: ConfigActor, id: string, data: UpdateMcpServer) {
      const before = await db.mcpServer.findUnique({ where: { id } });
      if (!before) throw new ConfigNotFoundError('MCP server');
      checkAuth({ ...before, ...data });
      const { authSecret, ...rest } = data;
      const updated = await unique(() => db.mcpServer.update({ where: { id }, data: { ...rest, ...sealed(authSecret) } }), duplicate(data.name), 'name');
      await deps.changed([{ actor, entity: 'mcpServer', action: 'update', id, name: updated.name, before, after: updated }]);
      return updated;
    },

    async delete(actor: ConfigActor, id: string) {
      const before = await db.mcpServer.findUnique({ where: { id } });
      if (!before) return false;
      await db.mcpServer.delete({ where: { id } });
      await deps.changed([{ actor, entity: 'mcpServer', action: 'delete', id, name: before.name, before }]);
      return true;
    },

    /** Replaces a key's MCP access: the servers it may use, each with every tool (`tools` null) or a list. */
    async setKeyAccess(actor: ConfigActor, keyId: string, access: KeyAccessInput) {
      const key = await db.virtualKey.findUnique({ where: { id: keyId } });
      if (!key) throw new ConfigNotFoundError('Virtual key');
      const servers = await db.mcpServer.findMany({ where: { id: { in: access.map((a) => a.serverId) } }, select: { id: true } });
      const missing = access.find((a) => !servers.some((s) => s.id === a.serverId));
      if (missing) throw new ConfigInputError(`No MCP server with id "${missing.serverId}"`, 'serverId');
      const before = await db.mcpKeyAccess.findMany({ where: { keyId } });
      await db.$transaction([
        db.mcpKeyAccess.deleteMany({ where: { keyId } }),
        ...access.map((a) => db.mcpKeyAccess.create({ data: { keyId, serverId: a.serverId, ...(a.tools && { tools: a.tools }) } })),
      ]);
      await deps.changed([
        { actor, entity: 'virtualKey', action: 'update', id: keyId, name: key.name, before: { mcpAccess: before }, after: { mcpAccess: access } },
      ]);
      return db.mcpKeyAccess.findMany({ where: { keyId } });
    },
  };
}
