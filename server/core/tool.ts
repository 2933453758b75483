import type { UpstreamWire } from './wire.js';

/**
 * Tools the model may use. Functions carry a JSON Schema; `custom` tools take
 * free text (Responses freeform tools, optionally grammar-constrained); a web
 * search is the one hosted tool every format has a native form of; anything
 * else is kept `opaque` in its own format's shape, so the same wire format gets
 * it back verbatim and another one can drop it with a warning.
 */
export type ToolDefinition = FunctionTool | CustomTool | WebSearchTool | OpaqueTool;

/** A function the model may call. `parameters` is a JSON Schema object. `type` is optional: a plain function. */
export interface FunctionTool {
  type?: 'function';
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  strict?: boolean;
  /** Anthropic prompt-caching marker on the tool definition. */
  cacheControl?: unknown;
  /** Responses namespace (Codex MCP tool groups) the function belongs to. */
  namespace?: string;
  /** Responses / Anthropic `defer_loading`: discovered through tool search rather than loaded up front. */
  deferLoading?: boolean;
}

/** Freeform input: the call carries raw text, not JSON arguments. */
export interface CustomTool {
  type: 'custom';
  name: string;
  description?: string;
  /** `{type:'text'}` or `{type:'grammar', syntax, definition}` as Responses defines it. */
  format?: Record<string, unknown>;
  namespace?: string;
  deferLoading?: boolean;
}

/** Hosted web search (Responses `web_search`, Anthropic `web_search_*`, Gemini `google_search`). */
export interface WebSearchTool {
  type: 'web_search';
  allowedDomains?: string[];
  blockedDomains?: string[];
  maxUses?: number;
  userLocation?: Record<string, unknown>;
  /** The client's own definition, re-sent verbatim to the same wire format. */
  raw: { format: UpstreamWire; value: Record<string, unknown> };
}

/** A tool the gateway does not translate (hosted tools without a cross-format meaning, future types). */
export interface OpaqueTool {
  type: 'opaque';
  /** The wire format whose shape `raw` has. */
  format: UpstreamWire;
  /** The tool's own type, for warnings (`tool_search`, `code_execution_20250825`, …). */
  toolType: string;
  name?: string;
  raw: Record<string, unknown>;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };
