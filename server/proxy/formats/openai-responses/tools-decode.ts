import { invalidRequest } from '../../../core/index.js';
import type { CustomTool, FunctionTool, ToolChoice, ToolDefinition, WebSearchTool } from '../../../core/index.js';
import { emptyParameters, optBoolean, optSchema, optString, requireArray, requireRecord, requireString } from '../openai-chat/validate.js';

const WEB_SEARCH_TYPES = new Set(['web_search', 'web_search_preview', 'web_search_preview_2025_03_11', 'web_search_2025_08_26']);

/**
 * Responses `tools` → canonical tools. Functions, custom (freeform) tools and the
 * functions and custom tools inside a `namespace` are translated; web search
 * becomes the hosted web search; every other type (tool_search, local_shell,
 * shell, image_generation, mcp, file_search, future ones) is kept opaque, so a
 * Responses upstream receives it unchanged and another format can drop it.
 */
export function decodeResponsesTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  const out: ToolDefinition[] = [];
  requireArray(value, 'tools').forEach((raw, i) => {
    const path = `tools[${i}]`;
    const tool = requireRecord(raw, path);
    const type = requireString(tool.type, `${path}.type`);
    if (type === 'function' || type === 'custom') out.push(decodeNamed(tool, path));
    else if (type === 'namespace') {
      const namespace = requireString(tool.name, `${path}.name`);
      requireArray(tool.tools, `${path}.tools`).forEach((inner, j) => {
        const p = `${path}.tools[${j}]`;
        const entry = requireRecord(inner, p);
        const innerType = requireString(entry.type, `${p}.type`);
        if (innerType === 'function' || innerType === 'custom') out.push({ ...decodeNamed(entry, p), namespace });
        else out.push({ type: 'opaque', format: 'openai-responses', toolType: `namespace.${innerType}`, raw: entry });
      });
    } else if (WEB_SEARCH_TYPES.has(type)) out.push(decodeWebSearch(tool));
    else out.push({ type: 'opaque', format: 'openai-responses', toolType: type, ...(typeof tool.name === 'string' && { name: tool.name }), raw: tool });
  });
  return out;
}

function decodeNamed(tool: Record<string, unknown>, path: string): FunctionTool | CustomTool {
  const name = requireString(tool.name, `${path}.name`);
  const description = optString(tool.description, `${path}.description`);
  const deferLoading = optBoolean(tool.defer_loading, `${path}.defer_loading`);
  if (tool.type === 'custom') {
    const custom: CustomTool = { type: 'custom', name };
    if (description !== undefined) custom.description = description;
    if (tool.format !== undefined && tool.format !== null) custom.format = requireRecord(tool.format, `${path}.format`);
    if (deferLoading !== undefined) custom.deferLoading = deferLoading;
    return custom;
  }
  const def: FunctionTool = { name, parameters: optSchema(tool.parameters, `${path}.parameters`) ?? emptyParameters() };
  if (description !== undefined) def.description = description;
  const strict = optBoolean(tool.strict, `${path}.strict`);
  if (strict !== undefined) def.strict = strict;
  if (deferLoading !== undefined) def.deferLoading = deferLoading;
  return def;
}

function decodeWebSearch(tool: Record<string, unknown>): WebSearchTool {
  const search: WebSearchTool = { type: 'web_search', raw: { format: 'openai-responses', value: tool } };
  const filters = tool.filters !== null && typeof tool.filters === 'object' ? (tool.filters as Record<string, unknown>) : undefined;
  if (Array.isArray(filters?.allowed_domains)) search.allowedDomains = filters.allowed_domains.filter((d): d is string => typeof d === 'string');
  if (tool.user_location !== null && typeof tool.user_location === 'object') search.userLocation = tool.user_location as Record<string, unknown>;
  return search;
}

/**
 * `tool_choice`: auto / none / required, or one named function or custom tool.
 * Other forms (allowed_tools, a hosted tool type) have no cross-format meaning:
 * `undefined` with `unmapped` set, so the model keeps choosing freely.
 */
export function decodeResponsesToolChoice(value: unknown): { choice?: ToolChoice; unmapped?: boolean } {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') {
    if (value === 'auto' || value === 'none' || value === 'required') return { choice: { type: value } };
    throw invalidRequest(`Invalid value for 'tool_choice': expected one of 'auto', 'none', 'required', but got ${JSON.stringify(value)}.`, 'tool_choice');
  }
  const choice = requireRecord(value, 'tool_choice');
  const type = requireString(choice.type, 'tool_choice.type');
  if (type === 'function' || type === 'custom') return { choice: { type: 'tool', name: requireString(choice.name, 'tool_choice.name') } };
  return { unmapped: true };
}
