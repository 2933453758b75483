import { createHash } from 'node:crypto';
import type { CustomTool, FunctionTool, ToolCallPart, ToolDefinition } from '../../../core/index.js';

/**
 * Tool names as other upstreams see them. Responses namespaces are flattened
 * into `<namespace>__<name>`; names outside the rules every upstream accepts
 * (letters, digits, `_`, `-`; a letter or `_` first; at most 64 characters:
 * OpenAI, Anthropic and Gemini rules intersected) are made legal and, when that
 * changes them, suffixed with a short hash so two tools never collide. Names
 * already legal pass unchanged. The mapping is deterministic, so the client side
 * rebuilds it from the request's tools to map calls back (`toolNameTable`).
 */
const LEGAL = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function wireToolName(name: string, namespace?: string): string {
  const joined = namespace ? (namespace.endsWith('_') ? `${namespace}${name}` : `${namespace}__${name}`) : name;
  if (LEGAL.test(joined)) return joined;
  let safe = joined.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z_]/.test(safe)) safe = `_${safe}`;
  const hash = createHash('sha1').update(joined).digest('hex').slice(0, 8);
  return `${safe.slice(0, 55)}_${hash}`;
}

/** What a wire name stands for on the client side. */
export interface ClientToolName {
  name: string;
  namespace?: string;
  kind: 'function' | 'custom';
}

type NamedTool = FunctionTool | CustomTool;

const isNamed = (tool: ToolDefinition): tool is NamedTool => tool.type === undefined || tool.type === 'function' || tool.type === 'custom';

/** Wire name → client name, for the request's function and custom tools. */
export function toolNameTable(tools: ToolDefinition[] | undefined): Map<string, ClientToolName> {
  const table = new Map<string, ClientToolName>();
  for (const tool of tools ?? []) {
    if (!isNamed(tool)) continue;
    table.set(wireToolName(tool.name, tool.namespace), {
      name: tool.name,
      ...(tool.namespace !== undefined && { namespace: tool.namespace }),
      kind: tool.type === 'custom' ? 'custom' : 'function',
    });
  }
  return table;
}

/** The single string parameter a freeform tool becomes for upstreams without freeform tools. */
export const CUSTOM_INPUT_FIELD = 'input';

/** A custom tool as a function with one string parameter; a grammar goes into the description. */
export function customAsFunction(tool: CustomTool): FunctionTool {
  const format = tool.format;
  let description = tool.description ?? '';
  if (format && format.type === 'grammar' && typeof format.definition === 'string') {
    const syntax = typeof format.syntax === 'string' ? format.syntax : 'grammar';
    description += `${description ? '\n\n' : ''}The input must follow this ${syntax} grammar:\n${format.definition}`;
  }
  return {
    name: wireToolName(tool.name, tool.namespace),
    ...(description && { description }),
    parameters: {
      type: 'object',
      properties: { [CUSTOM_INPUT_FIELD]: { type: 'string', description: 'The raw input for this tool.' } },
      required: [CUSTOM_INPUT_FIELD],
      additionalProperties: false,
    },
  };
}

/** A custom call's raw input as the JSON arguments of its function form. */
export function customInputAsArguments(input: string): string {
  return JSON.stringify({ [CUSTOM_INPUT_FIELD]: input });
}

/** The raw input back out of function arguments (`{"input": "…"}`); anything else is passed as it came. */
export function customInputFromArguments(args: string): string {
  try {
    const value = JSON.parse(args) as unknown;
    if (value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)[CUSTOM_INPUT_FIELD] === 'string') {
      return (value as Record<string, string>)[CUSTOM_INPUT_FIELD];
    }
  } catch {
    /* not JSON: the model answered with the raw text itself */
  }
  return args;
}

/**
 * OpenAI caps end-user ids at 64 characters; longer ones (Claude Code sends a JSON
 * object as `metadata.user_id`) travel as a stable hash, which still tells users apart.
 */
export function openAIUserId(user: string | undefined): string | undefined {
  if (user === undefined || user.length <= 64) return user;
  return createHash('sha256').update(user).digest('hex');
}

/**
 * A tool call as the client declared the tool: a call of a flattened namespace
 * function or of a custom tool's function form (from another upstream format) is
 * mapped back to its namespace and name; `wrapped` says the custom input still
 * sits in `{"input": …}` arguments. Calls already in the client's terms (a
 * Responses upstream's custom or namespaced calls) pass as they are.
 */
export function clientToolCall(
  part: Pick<ToolCallPart, 'name' | 'kind' | 'namespace'>,
  table: Map<string, ClientToolName>,
): ClientToolName & { wrapped: boolean } {
  if (part.kind === 'custom' || part.namespace !== undefined)
    return { name: part.name, namespace: part.namespace, kind: part.kind ?? 'function', wrapped: false };
  const known = table.get(part.name);
  if (!known) return { name: part.name, kind: 'function', wrapped: false };
  return { ...known, wrapped: known.kind === 'custom' };
}
