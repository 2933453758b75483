import { randomBytes } from 'node:crypto';
import type { OpaquePart } from '../core/content.js';
import { isRecord } from '../core/guards.js';

/**
 * The Responses API's MCP wire items (`mcp_list_tools`, `mcp_call`,
 * `mcp_approval_request`, and the client's `mcp_approval_response`), as the
 * gateway-run tool loop writes and reads them. They travel as opaque
 * Responses items: a Responses client gets them in `output` as they are.
 */

/** A Responses `{"type":"mcp"}` tool as the loop reads it. */
export interface McpToolRequest {
  serverLabel: string;
  /** Tool names the client allows (null: every tool the key may use), and whether only read-only tools are. */
  allowed: { names: Set<string> | null; readOnly: boolean };
  /** Which calls need the client's approval first (OpenAI's default: every call). */
  approval: { always: ToolFilter; never: ToolFilter; default: 'always' | 'never' };
}

interface ToolFilter {
  names: Set<string>;
  readOnly: boolean;
}

export function readMcpTool(raw: Record<string, unknown>): McpToolRequest {
  const serverLabel = typeof raw.server_label === 'string' ? raw.server_label : '';
  const allowedRaw = raw.allowed_tools;
  const allowed = Array.isArray(allowedRaw)
    ? { names: stringSet(allowedRaw), readOnly: false }
    : isRecord(allowedRaw)
      ? { names: Array.isArray(allowedRaw.tool_names) ? stringSet(allowedRaw.tool_names) : null, readOnly: allowedRaw.read_only === true }
      : { names: null, readOnly: false };
  const approvalRaw = raw.require_approval;
  const none: ToolFilter = { names: new Set(), readOnly: false };
  const approval =
    approvalRaw === 'never'
      ? { always: none, never: none, default: 'never' as const }
      : isRecord(approvalRaw)
        ? { always: filterOf(approvalRaw.always), never: filterOf(approvalRaw.never), default: 'always' as const }
        : { always: none, never: none, default: 'always' as const };
  return { serverLabel, allowed, approval };
}

/** Whether a call of `tool` (the server's name for it, annotations as the server gave them) needs the client's approval. */
export function needsApproval(request: McpToolRequest, tool: string, readOnlyHint: boolean): boolean {
  const matches = (f: ToolFilter) => f.names.has(tool) || (f.readOnly && readOnlyHint);
  if (matches(request.approval.never)) return false;
  if (matches(request.approval.always)) return true;
  return request.approval.default === 'always';
}

export function offeredTo(request: McpToolRequest, tool: string, readOnlyHint: boolean): boolean {
  if (request.allowed.names && !request.allowed.names.has(tool)) return false;
  return !request.allowed.readOnly || readOnlyHint;
}

export function mcpItem(raw: Record<string, unknown>): OpaquePart {
  return { type: 'opaque', format: 'openai-responses', itemType: String(raw.type), raw };
}

export function itemId(prefix: 'mcpl' | 'mcp' | 'mcpr'): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function listToolsItem(serverLabel: string, tools: Array<{ name: string; description?: string; inputSchema: unknown; annotations?: unknown }>) {
  return mcpItem({
    type: 'mcp_list_tools',
    id: itemId('mcpl'),
    server_label: serverLabel,
    tools: tools.map((t) => ({ name: t.name, description: t.description ?? null, input_schema: t.inputSchema, annotations: t.annotations ?? null })),
  });
}

export function callItem(call: { serverLabel: string; name: string; arguments: string; output?: string; error?: string; approvalRequestId?: string }) {
  return mcpItem({
    type: 'mcp_call',
    id: itemId('mcp'),
    server_label: call.serverLabel,
    name: call.name,
    arguments: call.arguments,
    output: call.output ?? null,
    error: call.error ?? null,
    status: call.error === undefined ? 'completed' : 'failed',
    ...(call.approvalRequestId && { approval_request_id: call.approvalRequestId }),
  });
}

export function approvalRequestItem(call: { serverLabel: string; name: string; arguments: string }) {
  return mcpItem({ type: 'mcp_approval_request', id: itemId('mcpr'), server_label: call.serverLabel, name: call.name, arguments: call.arguments });
}

function filterOf(value: unknown): ToolFilter {
  if (!isRecord(value)) return { names: new Set(), readOnly: false };
  return { names: Array.isArray(value.tool_names) ? stringSet(value.tool_names) : new Set(), readOnly: value.read_only === true };
}

function stringSet(values: unknown[]): Set<string> {
  return new Set(values.filter((v): v is string => typeof v === 'string'));
}
