import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallToolResult, GetPromptResult, McpError, Prompt, ReadResourceResult, Resource, Tool } from '@modelcontextprotocol/sdk/types.js';
import { once } from '../core/once.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { KeyLimiter } from '../limits/types.js';
import { redactor, scrubText } from '../secrets/redactor.js';
import type { KeyEntry } from '../snapshot/types.js';
import { McpCallLog } from './call-log.js';
import { loadMcpConfig, type McpConfig } from './load.js';
import type { McpMetrics } from './metrics.js';
import { namespaced, splitNamespaced } from './names.js';
import { McpUpstream } from './upstream.js';
import type { McpCallSource, McpCallStatus, McpServerEntry } from './types.js';

export interface McpGatewayOptions {
  /** A tool result bigger than this (JSON bytes) is refused with an MCP error. */
  maxResultBytes: number;
  /** How long a server's tool list is reused before it is asked again. */
  toolListTtlMs: number;
}

/** A tool as a key sees it: exposed (namespaced, maybe renamed) and where it really lives. */
export interface OfferedTool {
  /** `<server>__<name>`. */
  name: string;
  server: McpServerEntry;
  upstreamName: string;
  tool: Tool;
}

export interface McpServerHealth {
  ok: boolean;
  checkedAt: Date;
  latencyMs: number;
  error?: string;
  toolCount?: number;
}

/** MCP error code of a refused caller (rate limit, budget, an allow-list): outside JSON-RPC's reserved range. */
export const MCP_REFUSED = -32003;

/**
 * The MCP gateway of one instance: the registered servers (reloaded with every
 * configuration change, never read on a call's path), each key's allow-list, and
 * tool calls with the key's RPM and budget, a timeout, a size cap, one log row
 * and one counter increment each.
 */
export class McpGateway {
  private config: McpConfig = { servers: [], access: new Map() };
  private readonly upstreams = new Map<string, McpUpstream>();
  private readonly toolLists = new Map<string, { at: number; tools: Tool[] }>();
  private readonly healthById = new Map<string, McpServerHealth>();
  private readonly secretsSource = `mcp:${randomUUID()}`;
  readonly calls: McpCallLog;
  readonly metrics: McpMetrics;

  constructor(
    private readonly deps: { db: Db; secretBox: SecretBox; logger: Logger; limits: () => Pick<KeyLimiter, 'admit'>; metrics: McpMetrics },
    private readonly options: McpGatewayOptions,
  ) {
    this.calls = new McpCallLog(deps.db, deps.logger);
    this.metrics = deps.metrics;
  }

  /** Re-reads servers and access; upstream connections of changed servers are closed. */
  async reload(): Promise<void> {
    const next = await loadMcpConfig(this.deps.db, this.deps.secretBox);
    const byId = new Map(next.servers.map((s) => [s.id, s]));
    for (const [id, upstream] of this.upstreams) {
      const entry = byId.get(id);
      if (!entry || JSON.stringify(entry) !== JSON.stringify(upstream.entry)) {
        this.upstreams.delete(id);
        this.toolLists.delete(id);
        void upstream.close();
      }
    }
    this.config = next;
    // Upstream secrets are scrubbed wherever text leaves the gateway (server/secrets).
    redactor.set(
      this.secretsSource,
      next.servers.map((s) => (s.auth.type === 'none' ? undefined : s.auth.secret)),
    );
  }

  get servers(): readonly McpServerEntry[] {
    return this.config.servers;
  }

  health(serverId: string): McpServerHealth | undefined {
    return this.healthById.get(serverId);
  }

  /** The enabled servers a key may use, with its tool allow-list for each. */
  serversFor(key: Pick<KeyEntry, 'id'>): Array<{ server: McpServerEntry; tools: ReadonlySet<string> | null }> {
    const grants = this.config.access.get(key.id) ?? [];
    const out: Array<{ server: McpServerEntry; tools: ReadonlySet<string> | null }> = [];
    for (const grant of grants) {
      const server = this.config.servers.find((s) => s.id === grant.serverId);
      if (server?.enabled) out.push({ server, tools: grant.tools });
    }
    return out;
  }

  /** Every tool the key may call, namespaced; a server that cannot be reached is left out (its health says why). */
  async toolsFor(key: Pick<KeyEntry, 'id'>, onlyServers?: ReadonlySet<string>): Promise<OfferedTool[]> {
    const lists = await Promise.all(
      this.serversFor(key)
        .filter(({ server }) => !onlyServers || onlyServers.has(server.name))
        .map(async ({ server, tools: allowed }) => {
          const tools = await this.serverTools(server).catch(() => []);
          return tools.flatMap((tool) => {
            const setting = server.tools[tool.name];
            if (setting?.enabled === false || (allowed && !allowed.has(tool.name))) return [];
            const name = namespaced(server.name, setting?.name ?? tool.name);
            return [{ name, server, upstreamName: tool.name, tool: { ...tool, name } }];
          });
        }),
    );
    return lists.flat();
  }

  /** A server's own tool list (cached), whatever keys may use; records its health. */
  async serverTools(server: McpServerEntry, fresh = false): Promise<Tool[]> {
    const cached = this.toolLists.get(server.id);
    if (!fresh && cached && Date.now() - cached.at < this.options.toolListTtlMs) return cached.tools;
    const started = performance.now();
    try {
      const tools = await this.upstream(server).listTools();
      this.toolLists.set(server.id, { at: Date.now(), tools });
      this.healthById.set(server.id, { ok: true, checkedAt: new Date(), latencyMs: performance.now() - started, toolCount: tools.length });
      return tools;
    } catch (error) {
      this.healthById.set(server.id, { ok: false, checkedAt: new Date(), latencyMs: performance.now() - started, error: messageOf(error) });
      throw error;
    }
  }

  /**
   * Calls one tool by its exposed name for a key. Refusals (unknown or
   * disallowed tool, the key's limits) and upstream failures are McpErrors;
   * a tool that reports its own failure comes back as a result with `isError`.
   */
  async callTool(
    key: KeyEntry,
    exposedName: string,
    args: Record<string, unknown> | undefined,
    source: McpCallSource,
    signal?: AbortSignal,
  ): Promise<CallToolResult> {
    const started = performance.now();
    const { McpError, ErrorCode } = await sdkTypes();
    const target = splitNamespaced(exposedName);
    const offered = target ? (await this.toolsFor(key, new Set([target.server]))).find((t) => t.name === exposedName) : undefined;
    const serverName = offered?.server.name ?? target?.server ?? '';
    const log = (status: McpCallStatus, extra: { error?: string; result?: unknown } = {}) => {
      this.metrics.calls.inc({ server: offered ? serverName : '(unknown)', tool: offered ? offered.upstreamName : '(unknown)', status, source });
      this.calls.write({
        at: new Date(),
        keyId: key.id,
        keyName: key.name,
        serverName: serverName || '(unknown)',
        tool: offered?.upstreamName ?? exposedName,
        source,
        status,
        latencyMs: performance.now() - started,
        ...(extra.error !== undefined && { errorMessage: extra.error }),
        ...(key.logBodies && { arguments: JSON.stringify(args ?? {}) }),
        ...(key.logBodies && extra.result !== undefined && { result: JSON.stringify(extra.result) }),
      });
    };
    if (!offered) {
      const error = new McpError(ErrorCode.InvalidParams, `Tool "${exposedName}" is not available to this key`);
      log('refused', { error: error.message });
      throw error;
    }
    let admission;
    try {
      admission = await this.deps.limits().admit(key, 0);
    } catch (error) {
      const refused = new McpError(MCP_REFUSED, messageOf(error), { status: (error as { status?: number }).status ?? 429 });
      log('refused', { error: messageOf(error) });
      throw refused;
    }
    try {
      const result = await this.upstream(offered.server).callTool(offered.upstreamName, args, signal);
      const size = Buffer.byteLength(JSON.stringify(result));
      if (size > this.options.maxResultBytes) {
        const error = new McpError(
          ErrorCode.InternalError,
          `The result of "${exposedName}" is ${size} bytes, more than the gateway's limit of ${this.options.maxResultBytes}`,
        );
        log('error', { error: error.message });
        throw new TooLarge(error);
      }
      log(result.isError ? 'error' : 'ok', { result, ...(result.isError && { error: resultText(result) }) });
      return result;
    } catch (error) {
      if (error instanceof TooLarge) throw error.mcp;
      const timedOut = error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number);
      const message = timedOut ? `The MCP server "${serverName}" did not answer within ${offered.server.timeoutMs} ms` : scrubText(messageOf(error));
      log(timedOut ? 'timeout' : 'error', { error: message });
      throw new McpError(error instanceof McpError ? error.code : ErrorCode.InternalError, stripPrefix(message));
    } finally {
      admission.release({ costUsd: 0 });
    }
  }

  async resourcesFor(key: Pick<KeyEntry, 'id'>): Promise<Resource[]> {
    const lists = await Promise.all(
      this.serversFor(key).map(({ server }) =>
        this.upstream(server)
          .listResources()
          .catch(() => []),
      ),
    );
    return lists.flat();
  }

  /** Resource URIs are the servers' own: the first of the key's servers that can read it answers. */
  async readResource(key: Pick<KeyEntry, 'id'>, uri: string): Promise<ReadResourceResult> {
    for (const { server } of this.serversFor(key)) {
      const listed = await this.upstream(server)
        .listResources()
        .catch(() => []);
      if (listed.some((r) => r.uri === uri)) return this.upstream(server).readResource(uri);
    }
    const { McpError, ErrorCode } = await sdkTypes();
    throw new McpError(ErrorCode.InvalidParams, `Resource "${uri}" is not available to this key`);
  }

  async promptsFor(key: Pick<KeyEntry, 'id'>): Promise<Prompt[]> {
    const lists = await Promise.all(
      this.serversFor(key).map(async ({ server }) =>
        (
          await this.upstream(server)
            .listPrompts()
            .catch(() => [])
        ).map((p) => ({ ...p, name: namespaced(server.name, p.name) })),
      ),
    );
    return lists.flat();
  }

  async getPrompt(key: Pick<KeyEntry, 'id'>, exposedName: string, args?: Record<string, string>): Promise<GetPromptResult> {
    const target = splitNamespaced(exposedName);
    const server = target && this.serversFor(key).find((s) => s.server.name === target.server)?.server;
    if (!target || !server) {
      const { McpError, ErrorCode } = await sdkTypes();
      throw new McpError(ErrorCode.InvalidParams, `Prompt "${exposedName}" is not available to this key`);
    }
    return this.upstream(server).getPrompt(target.name, args);
  }

  async close(): Promise<void> {
    await this.calls.close();
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
    this.upstreams.clear();
    redactor.delete(this.secretsSource);
  }

  private upstream(server: McpServerEntry): McpUpstream {
    let upstream = this.upstreams.get(server.id);
    if (!upstream) {
      upstream = new McpUpstream(server);
      this.upstreams.set(server.id, upstream);
    }
    return upstream;
  }
}

/** The SDK's types module (McpError, its schemas), imported when first needed: a gateway nobody asks for MCP does not hold it. */
export const sdkTypes = once(() => import('@modelcontextprotocol/sdk/types.js'));

/** A result over the size cap, already logged: passed on as its McpError. */
class TooLarge extends Error {
  constructor(readonly mcp: McpError) {
    super(mcp.message);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The SDK prefixes its errors with `MCP error <code>: `; the McpError made from it adds that again. */
function stripPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+: /, '');
}

function resultText(result: CallToolResult): string {
  return result.content
    .map((c) => (c.type === 'text' ? c.text : `[${c.type}]`))
    .join('\n')
    .slice(0, 2000);
}
