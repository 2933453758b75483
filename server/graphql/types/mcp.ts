import { createMcpServerSchema, keyAccessSchema, mcpConfig, updateMcpServerSchema } from '../../config-service/mcp.js';
import { McpUpstream, namespaced, serverEntry, toolSettings } from '../../mcp/index.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { validate, withoutNullish } from '../validate.js';

/**
 * MCP servers (server/mcp): their settings (the auth secret is write-only: a
 * hint and whether one is set), their tools and health as a live probe, each
 * key's access, and the tool-call log.
 */

type ServerRow = Awaited<ReturnType<GraphQLContext['services']['db']['mcpServer']['findUniqueOrThrow']>>;
type CallRow = Awaited<ReturnType<GraphQLContext['services']['db']['mcpCallLog']['findMany']>>[number];

interface ProbeTool {
  name: string;
  exposedName: string;
  description: string | null;
  enabled: boolean;
  inputSchema: unknown;
}
interface Probe {
  ok: boolean;
  latencyMs: number;
  error: string | null;
  tools: ProbeTool[];
}

const config = (ctx: GraphQLContext) => mcpConfig({ db: ctx.services.db, secretBox: ctx.services.secretBox, changed: ctx.services.configService.changed });

const McpTool = builder.objectRef<ProbeTool>('McpTool').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: "The server's own name of the tool." }),
    exposedName: t.exposeString('exposedName', { description: 'The namespaced name clients of /mcp see (`<server>__<tool>`, renamed when set).' }),
    description: t.exposeString('description', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    inputSchema: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.inputSchema }),
  }),
});

const McpProbe = builder.objectRef<Probe>('McpServerProbe').implement({
  description: 'One live connection to the server: whether it answered tools/list, how fast, and its tools.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    latencyMs: t.exposeInt('latencyMs'),
    error: t.exposeString('error', { nullable: true }),
    tools: t.field({ type: [McpTool], resolve: (r) => r.tools }),
  }),
});

const McpServer = builder.objectRef<ServerRow>('McpServer').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    transport: t.exposeString('transport'),
    authType: t.exposeString('authType'),
    authHeaderName: t.exposeString('authHeaderName', { nullable: true }),
    authSecretHint: t.exposeString('authSecretHint', { nullable: true }),
    hasAuthSecret: t.boolean({ resolve: (r) => Boolean(r.authSecretEncrypted) }),
    oauthTokenUrl: t.exposeString('oauthTokenUrl', { nullable: true }),
    oauthClientId: t.exposeString('oauthClientId', { nullable: true }),
    oauthScope: t.exposeString('oauthScope', { nullable: true }),
    toolSettings: t.field({ type: 'JSON', description: '{ "<tool>": { enabled?, name? } }', resolve: (r) => toolSettings(r.tools) }),
    timeoutMs: t.exposeInt('timeoutMs'),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    probe: t.field({ type: McpProbe, description: 'Connects to the server now and lists its tools.', resolve: (r, _a, ctx) => probe(r, ctx) }),
  }),
});

async function probe(row: ServerRow, ctx: GraphQLContext): Promise<Probe> {
  const entry = serverEntry(row, ctx.services.secretBox);
  const upstream = new McpUpstream(entry);
  const started = performance.now();
  try {
    const tools = await upstream.listTools();
    return {
      ok: true,
      latencyMs: Math.round(performance.now() - started),
      error: null,
      tools: tools.map((tool) => ({
        name: tool.name,
        exposedName: namespaced(entry.name, entry.tools[tool.name]?.name ?? tool.name),
        description: tool.description ?? null,
        enabled: entry.tools[tool.name]?.enabled !== false,
        inputSchema: tool.inputSchema,
      })),
    };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error), tools: [] };
  } finally {
    await upstream.close();
  }
}

const McpKeyAccess = builder.objectRef<{ serverId: string; tools: unknown }>('McpKeyAccess').implement({
  fields: (t) => ({
    serverId: t.exposeID('serverId'),
    tools: t.stringList({
      nullable: true,
      description: 'null: every enabled tool of the server.',
      resolve: (r) => (Array.isArray(r.tools) ? (r.tools as string[]) : null),
    }),
  }),
});

const McpCall = builder.objectRef<CallRow>('McpCall').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    keyId: t.exposeID('keyId', { nullable: true }),
    keyName: t.exposeString('keyName', { nullable: true }),
    serverName: t.exposeString('serverName'),
    tool: t.exposeString('tool'),
    source: t.exposeString('source'),
    status: t.exposeString('status'),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs'),
    arguments: t.exposeString('arguments', { nullable: true }),
    result: t.exposeString('result', { nullable: true }),
  }),
});

const ToolSettingInput = builder.inputType('McpToolSettingInput', {
  fields: (t) => ({ tool: t.string({ required: true }), enabled: t.boolean(), name: t.string() }),
});

const serverInputFields = (required: boolean) => (t: PothosInputFields) => ({
  name: t.string({ required }),
  url: t.string({ required }),
  transport: t.string(),
  authType: t.string(),
  authHeaderName: t.string(),
  authSecret: t.string({ description: 'Write-only: the header value, bearer token or OAuth client secret. Empty removes it.' }),
  oauthTokenUrl: t.string(),
  oauthClientId: t.string(),
  oauthScope: t.string(),
  tools: t.field({ type: [ToolSettingInput] }),
  timeoutMs: t.int(),
  enabled: t.boolean(),
});
type PothosInputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

const CreateMcpServerInput = builder.inputType('CreateMcpServerInput', { fields: serverInputFields(true) });
const UpdateMcpServerInput = builder.inputType('UpdateMcpServerInput', { fields: serverInputFields(false) });
const KeyAccessInput = builder.inputType('McpKeyAccessInput', {
  fields: (t) => ({ serverId: t.id({ required: true }), tools: t.stringList() }),
});

type ServerInput = { tools?: Array<{ tool: string; enabled?: boolean | null; name?: string | null }> | null; authSecret?: string | null } & Record<
  string,
  unknown
>;

function serverData(input: ServerInput) {
  const { tools, authSecret, ...rest } = input;
  return {
    ...withoutNullish(rest),
    ...(authSecret !== undefined && { authSecret }),
    ...(tools && { tools: Object.fromEntries(tools.map((s) => [s.tool, withoutNullish({ enabled: s.enabled, name: s.name || undefined })])) }),
  };
}

builder.queryFields((t) => ({
  mcpServers: t.field({ type: [McpServer], resolve: (_r, _a, ctx) => ctx.services.db.mcpServer.findMany({ orderBy: { name: 'asc' } }) }),
  mcpServer: t.field({
    type: McpServer,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.services.db.mcpServer.findUnique({ where: { id: String(id) } }),
  }),
  mcpKeyAccess: t.field({
    type: [McpKeyAccess],
    args: { keyId: t.arg.id({ required: true }) },
    resolve: (_r, { keyId }, ctx) => ctx.services.db.mcpKeyAccess.findMany({ where: { keyId: String(keyId) } }),
  }),
  mcpCalls: t.field({
    type: [McpCall],
    description: 'The latest MCP tool calls, newest first.',
    args: { take: t.arg.int(), keyId: t.arg.id() },
    resolve: (_r, { take, keyId }, ctx) =>
      ctx.services.db.mcpCallLog.findMany({
        where: keyId ? { keyId: String(keyId) } : {},
        orderBy: { createdAt: 'desc' },
        take: Math.min(Math.max(take ?? 100, 1), 500),
      }),
  }),
}));

builder.mutationFields((t) => ({
  createMcpServer: t.field({
    type: McpServer,
    args: { input: t.arg({ type: CreateMcpServerInput, required: true }) },
    resolve: async (_r, { input }, ctx) => config(ctx).create(actorOf(ctx), validate(createMcpServerSchema, serverData(input as ServerInput))),
  }),
  updateMcpServer: t.field({
    type: McpServer,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateMcpServerInput, required: true }) },
    resolve: async (_r, { id, input }, ctx) => config(ctx).update(actorOf(ctx), String(id), validate(updateMcpServerSchema, serverData(input as ServerInput))),
  }),
  deleteMcpServer: t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => config(ctx).delete(actorOf(ctx), String(id)),
  }),
  setMcpKeyAccess: t.field({
    type: [McpKeyAccess],
    description: "Replaces the key's MCP access: the servers it may use, each with every tool (tools null) or the listed ones.",
    args: { keyId: t.arg.id({ required: true }), access: t.arg({ type: [KeyAccessInput], required: true }) },
    resolve: (_r, { keyId, access }, ctx) =>
      config(ctx).setKeyAccess(
        actorOf(ctx),
        String(keyId),
        validate(
          keyAccessSchema,
          access.map((a) => ({ serverId: String(a.serverId), tools: a.tools ?? null })),
        ),
      ),
  }),
}));
