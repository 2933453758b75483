import type { ContentPart, ToolCallPart } from '../core/content.js';
import { GatewayError, invalidRequest } from '../core/error.js';
import type { Message } from '../core/message.js';
import type { CanonicalRequest } from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import type { FunctionTool, ToolDefinition } from '../core/tool.js';
import type { Usage } from '../core/usage.js';
import { UPSTREAM_FORMATS } from '../proxy/formats/registry.js';
import type { GenerationContext, PluginAnswer, ProxyPlugin } from '../proxy/pipeline/plugin.js';
import type { Resolved } from '../proxy/pipeline/resolve-model.js';
import { callUpstreamJson } from '../proxy/pipeline/upstream-call.js';
import { wireOf } from '../proxy/providers/endpoints.js';
import type { KeyEntry, ModelEntry } from '../snapshot/types.js';
import { approvalRequestItem, callItem, listToolsItem, needsApproval, offeredTo, readMcpTool, type McpToolRequest } from './mcp-items.js';

/** What the loop needs of the MCP gateway (server/mcp), which the composition root passes in. */
export interface McpToolHost {
  toolsFor(
    key: KeyEntry,
    onlyServers?: ReadonlySet<string>,
  ): Promise<
    Array<{
      name: string;
      server: { name: string };
      tool: { name: string; description?: string; inputSchema: unknown; annotations?: { readOnlyHint?: boolean } };
    }>
  >;
  callTool(
    key: KeyEntry,
    name: string,
    args: Record<string, unknown> | undefined,
    source: 'loop',
    signal?: AbortSignal,
  ): Promise<{ content: Array<{ type: string; text?: string }>; isError?: boolean; structuredContent?: unknown }>;
}

/** One tool offered to the model: the function name it sees, and the server's name for the tool. */
interface LoopTool {
  functionName: string;
  serverLabel: string;
  toolName: string;
  request: McpToolRequest;
  readOnly: boolean;
}

/**
 * Responses `{"type":"mcp"}` tools for upstreams that cannot reach MCP servers
 * themselves (every wire format but Responses): the gateway lists the tools of
 * the named registered servers the key may use, offers them to the model as
 * functions in its own format, runs the calls it makes, feeds the results back,
 * and answers once the model stops calling tools (at most `maxRounds` model
 * calls). A call that needs approval ends the loop with an `mcp_approval_request`
 * item; the client's `mcp_approval_response` in the next request resumes it.
 * A Responses upstream gets the mcp tools passed through, as before.
 */
export function useMcpToolLoop(host: McpToolHost, options: { maxRounds: number }): ProxyPlugin {
  return {
    name: 'mcp-tool-loop',
    request(ctx) {
      if (ctx.api !== 'responses') return undefined;
      return { onResolved: (gen, resolved) => runLoop(host, options, gen, resolved) };
    },
  };
}

async function runLoop(host: McpToolHost, options: { maxRounds: number }, ctx: GenerationContext, resolved: Resolved): Promise<PluginAnswer | void> {
  const mcpTools = (ctx.request.tools ?? []).filter((t) => t.type === 'opaque' && t.format === 'openai-responses' && t.toolType === 'mcp');
  const hasMcpItems = ctx.request.messages.some((m) => m.content.some(isMcpItem));
  if (!mcpTools.length && !hasMcpItems) return;
  const model = targetModel(resolved);
  if (wireOf(model.provider) === 'openai-responses') return;

  const requests = mcpTools.map((t) => readMcpTool((t as { raw: Record<string, unknown> }).raw));
  const labels = new Set(requests.map((r) => r.serverLabel));
  const offered = await host.toolsFor(ctx.key, labels);
  for (const label of labels) {
    if (!offered.some((t) => t.server.name === label)) {
      throw new GatewayError({
        status: 400,
        kind: 'invalid_request',
        param: 'tools',
        message: `The MCP server "${label}" is not registered on this gateway or not available to this key`,
      });
    }
  }
  const output: ContentPart[] = [];
  const loopTools: LoopTool[] = [];
  for (const request of requests) {
    const tools = offered.filter((t) => t.server.name === request.serverLabel);
    const listed = [];
    for (const t of tools) {
      const toolName = t.name.slice(request.serverLabel.length + 2);
      const readOnly = t.tool.annotations?.readOnlyHint === true;
      if (!offeredTo(request, toolName, readOnly)) continue;
      listed.push({ name: toolName, description: t.tool.description, inputSchema: t.tool.inputSchema, annotations: t.tool.annotations });
      loopTools.push({ functionName: t.name, serverLabel: request.serverLabel, toolName, request, readOnly });
    }
    output.push(listToolsItem(request.serverLabel, listed));
  }

  const conversation = await resumeConversation(host, ctx, loopTools, output);
  let request: CanonicalRequest = { ...ctx.request, stream: false, messages: conversation, tools: offeredTools(ctx.request.tools ?? [], loopTools, offered) };
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  // The pipeline admits the request after this answer and releases it with the loop's usage and cost (each tool call is admitted too).
  ctx.model = model;
  let response: CanonicalResponse | undefined;
  for (let round = 1; round <= options.maxRounds; round++) {
    ctx.attempts = round;
    response = await generate(ctx, model, request);
    addUsage(usage, response.usage);
    const calls = response.content.filter((p): p is ToolCallPart => p.type === 'tool_call');
    const ours = calls.filter((c) => loopTools.some((t) => t.functionName === c.name));
    if (!ours.length || ours.length !== calls.length) break;
    const pending = ours.filter((c) => {
      const tool = loopTools.find((t) => t.functionName === c.name)!;
      return needsApproval(tool.request, tool.toolName, tool.readOnly);
    });
    if (pending.length) {
      for (const call of pending) {
        const tool = loopTools.find((t) => t.functionName === call.name)!;
        output.push(approvalRequestItem({ serverLabel: tool.serverLabel, name: tool.toolName, arguments: call.arguments }));
      }
      return answer(ctx, response, output, usage, loopTools);
    }
    const results: Message = { role: 'tool', content: [] };
    for (const call of ours) {
      const tool = loopTools.find((t) => t.functionName === call.name)!;
      const outcome = await runCall(host, ctx, tool, call.arguments);
      output.push(callItem({ serverLabel: tool.serverLabel, name: tool.toolName, arguments: call.arguments, ...outcome }));
      results.content.push({
        type: 'tool_result',
        toolCallId: call.id,
        toolName: call.name,
        content: [{ type: 'text', text: outcome.output ?? outcome.error ?? '' }],
        isError: outcome.error !== undefined,
      });
    }
    request = { ...request, messages: [...request.messages, { role: 'assistant', content: response.content }, results] };
    if (round === options.maxRounds) ctx.warnings = [...(ctx.warnings ?? []), `mcp tool loop stopped after ${options.maxRounds} rounds`];
  }
  return answer(ctx, response!, output, usage, loopTools);
}

function answer(ctx: GenerationContext, response: CanonicalResponse, items: ContentPart[], usage: Usage, loopTools: LoopTool[]): PluginAnswer {
  // Calls of the loop's own functions are already items; the client sees only its own tools' calls.
  const own = response.content.filter((p) => p.type !== 'tool_call' || !loopTools.some((t) => t.functionName === p.name));
  return { response: { ...response, model: ctx.request.model, content: [...items, ...own], usage }, headers: { 'x-gateway-mcp-rounds': String(ctx.attempts) } };
}

async function runCall(host: McpToolHost, ctx: GenerationContext, tool: LoopTool, argsText: string): Promise<{ output?: string; error?: string }> {
  let args: Record<string, unknown>;
  try {
    const parsed: unknown = argsText ? JSON.parse(argsText) : {};
    args = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { error: 'The arguments are not valid JSON' };
  }
  try {
    const result = await host.callTool(ctx.key, tool.functionName, args, 'loop', ctx.abort.signal);
    const text = result.content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)).join('\n');
    return result.isError ? { error: text || 'The tool failed' } : { output: text || JSON.stringify(result.structuredContent ?? null) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The client's conversation with earlier MCP items made plain: a past
 * `mcp_call` becomes a function call and its result; an approved
 * `mcp_approval_request` is run now (its `mcp_call` joins the output), a
 * declined one is answered as declined; tool lists are dropped.
 */
async function resumeConversation(host: McpToolHost, ctx: GenerationContext, tools: LoopTool[], output: ContentPart[]): Promise<Message[]> {
  const approvals = new Map<string, boolean>();
  for (const m of ctx.request.messages) {
    for (const p of m.content) {
      if (p.type === 'opaque' && p.itemType === 'mcp_approval_response') approvals.set(text(p.raw.approval_request_id), p.raw.approve === true);
    }
  }
  const out: Message[] = [];
  for (const message of ctx.request.messages) {
    const kept: ContentPart[] = [];
    for (const part of message.content) {
      if (!isMcpItem(part)) {
        kept.push(part);
        continue;
      }
      const raw = part.raw;
      const label = text(raw.server_label);
      const name = text(raw.name);
      const functionName = `${label}__${name}`;
      const args = typeof raw.arguments === 'string' ? raw.arguments : '{}';
      if (part.itemType === 'mcp_call') {
        out.push({ role: 'assistant', content: [{ type: 'tool_call', id: text(raw.id), name: functionName, arguments: args }] });
        out.push({
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: text(raw.id),
              toolName: functionName,
              content: [{ type: 'text', text: text(raw.output ?? raw.error) }],
            },
          ],
        });
      } else if (part.itemType === 'mcp_approval_request') {
        const id = text(raw.id);
        const approved = approvals.get(id);
        if (approved === undefined) continue;
        const tool = tools.find((t) => t.functionName === functionName);
        const outcome =
          approved && tool ? await runCall(host, ctx, tool, args) : { error: approved ? 'The tool is not available' : 'The user declined this call' };
        if (approved) output.push(callItem({ serverLabel: label, name, arguments: args, ...outcome, approvalRequestId: id }));
        out.push({ role: 'assistant', content: [{ type: 'tool_call', id, name: functionName, arguments: args }] });
        out.push({
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: id,
              toolName: functionName,
              content: [{ type: 'text', text: outcome.output ?? outcome.error ?? '' }],
              isError: outcome.error !== undefined,
            },
          ],
        });
      }
    }
    if (kept.length) out.push({ ...message, content: kept });
  }
  return out;
}

/** The client's tools with each mcp tool replaced by its servers' tools as functions (JSON Schema parameters as the server gave them). */
function offeredTools(tools: ToolDefinition[], loopTools: LoopTool[], offered: Awaited<ReturnType<McpToolHost['toolsFor']>>): ToolDefinition[] {
  const functions: FunctionTool[] = loopTools.map((t) => {
    const tool = offered.find((o) => o.name === t.functionName)!.tool;
    const schema =
      tool.inputSchema && typeof tool.inputSchema === 'object' ? (tool.inputSchema as Record<string, unknown>) : { type: 'object', properties: {} };
    return { type: 'function', name: t.functionName, ...(tool.description && { description: tool.description }), parameters: schema };
  });
  return [...tools.filter((t) => !(t.type === 'opaque' && t.toolType === 'mcp')), ...functions];
}

/** One whole (non-stream) model call in the target's own wire format. */
async function generate(ctx: GenerationContext, model: ModelEntry, request: CanonicalRequest): Promise<CanonicalResponse> {
  const format = UPSTREAM_FORMATS[wireOf(model.provider)];
  const warnings: string[] = [];
  const body = format.encodeRequest(request, {
    upstreamModel: model.upstreamModel,
    ...(model.maxOutputTokens && { maxOutputTokens: model.maxOutputTokens }),
    warnings,
  });
  const { json } = await callUpstreamJson(model, 'generate', JSON.stringify(body), ctx.abort, { maxBytes: ctx.deps.config.maxUpstreamResponseBytes });
  return format.decodeResponse(json);
}

/** The model that runs the loop: the model itself, or a virtual model's first enabled target by priority. */
function targetModel(resolved: Resolved): ModelEntry {
  if (resolved.kind === 'model') return resolved.model;
  const targets = [...resolved.route.targets].filter((t) => t.model.enabled && t.model.provider.enabled).sort((a, b) => a.priority - b.priority);
  if (!targets.length) throw invalidRequest(`The virtual model "${resolved.route.name}" has no enabled target`, 'model');
  return targets[0].model;
}

function isMcpItem(part: ContentPart): part is Extract<ContentPart, { type: 'opaque' }> {
  return part.type === 'opaque' && part.format === 'openai-responses' && part.itemType.startsWith('mcp_');
}

function addUsage(total: Usage, more: Usage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  if (more.cachedInputTokens) total.cachedInputTokens = (total.cachedInputTokens ?? 0) + more.cachedInputTokens;
  if (more.reasoningTokens) total.reasoningTokens = (total.reasoningTokens ?? 0) + more.reasoningTokens;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}
