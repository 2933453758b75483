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

export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI's `detail` hint (auto | low | high); dropped by formats without it. */
  detail?: string;
}

/** A tool call made by the assistant. `arguments` is JSON text, as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
}

/** The caller's answer to a tool call. `toolName` helps formats (Gemini) that key results by name. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  toolName?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
}

/**
 * Model reasoning ("thinking"). `signature` / `redactedData` are opaque values that
 * Anthropic requires back verbatim on the next turn; other formats ignore them.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redactedData?: string;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ReasoningPart;
