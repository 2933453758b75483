import type { UpstreamWire } from './wire.js';

/**
 * Content parts: the pieces a message is made of, whatever the wire format.
 * Every client and provider format maps its own blocks onto these and back.
 */

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic prompt-caching marker, kept when the target understands it. */
  cacheControl?: unknown;
}

export type ImageSource = { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI's `detail` hint (auto | low | high); dropped by formats without it. */
  detail?: string;
}

/**
 * A tool call made by the assistant. `arguments` is JSON text, as the model produced it;
 * for a `custom` (freeform) call it is the raw input text instead.
 */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
  kind?: 'function' | 'custom';
  /** Responses namespace of the function (Codex MCP tool groups). */
  namespace?: string;
  /** Gemini `thoughtSignature` issued with this call; Gemini requires it back on the next turn. */
  signature?: string;
}

/** The caller's answer to a tool call. `toolName` helps formats (Gemini) that key results by name. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  toolName?: string;
  content: Array<TextPart | ImagePart | OpaquePart>;
  isError?: boolean;
  /** The answer to a `custom` (freeform) call: Responses `custom_tool_call_output`. */
  kind?: 'function' | 'custom';
  /** Anthropic prompt-caching marker on the tool_result block. */
  cacheControl?: unknown;
}

/**
 * Model reasoning ("thinking"). `signature` / `redactedData` are opaque values that
 * Anthropic requires back verbatim on the next turn; `encryptedContent` (and the item
 * id) is OpenAI's equivalent for stateless Responses turns. Other formats ignore them.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redactedData?: string;
  encryptedContent?: string;
  itemId?: string;
}

/**
 * An item or block the gateway does not understand (a future type, a hosted tool's
 * call or result). The format it came from re-emits `raw` verbatim; others drop it
 * with a warning.
 */
export interface OpaquePart {
  type: 'opaque';
  format: UpstreamWire;
  /** The item's own type, for warnings. */
  itemType: string;
  raw: Record<string, unknown>;
  /** It sat inside a message's content (a content part), not as an item of its own (Responses). */
  inContent?: boolean;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ReasoningPart | OpaquePart;
