import type { FunctionTool, OpaqueTool, ToolCallPart, ToolDefinition, UpstreamWire, WebSearchTool } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';
import { customAsFunction, customInputAsArguments, wireToolName } from './tool-names.js';
import { warn } from './warnings.js';

/**
 * The tools an upstream without Responses' tool types receives: functions under
 * their wire names (namespaces flattened), custom tools as functions with one
 * string parameter, at most one web search for the encoder to map onto its own
 * hosted search, and the opaque tools of that same wire format (re-sent as the
 * client wrote them). Opaque tools of other formats are dropped with a warning.
 */
export interface ToolPlan {
  functions: FunctionTool[];
  webSearch?: WebSearchTool;
  opaque: OpaqueTool[];
}

export function planTools(tools: ToolDefinition[] | undefined, wire: UpstreamWire, target: UpstreamTarget): ToolPlan {
  const plan: ToolPlan = { functions: [], opaque: [] };
  for (const tool of tools ?? []) {
    switch (tool.type) {
      case undefined:
      case 'function':
        plan.functions.push({ ...tool, name: wireToolName(tool.name, tool.namespace) });
        break;
      case 'custom':
        plan.functions.push(customAsFunction(tool));
        break;
      case 'web_search':
        plan.webSearch ??= tool;
        break;
      case 'opaque':
        if (tool.format === wire) plan.opaque.push(tool);
        else warn(target, `tool ${tool.toolType} dropped`);
        break;
      default: {
        const _exhaustive: never = tool;
      }
    }
  }
  return plan;
}

/** A tool call in history as its function form: wire name, and a custom call's input wrapped as `{"input": …}`. */
export function wireToolCall(part: ToolCallPart): { name: string; arguments: string } {
  return {
    name: wireToolName(part.name, part.namespace),
    arguments: part.kind === 'custom' ? customInputAsArguments(part.arguments) : part.arguments,
  };
}
