/**
 * The parts of the Amazon Bedrock Converse API the gateway reads and writes
 * (`POST /model/{modelId}/converse` and `/converse-stream`). Facts from the
 * Bedrock Runtime API reference.
 */

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** A prompt-caching breakpoint: everything before it in its list is cached. */
export interface BedrockCachePoint {
  cachePoint: { type: 'default' };
}

export type BedrockToolResultContent = { text: string } | { json: Record<string, unknown> } | { image: BedrockImage['image'] };

export interface BedrockImage {
  image: { format: BedrockImageFormat; source: { bytes: string } };
}

export interface BedrockReasoning {
  reasoningContent: { reasoningText?: { text: string; signature?: string }; redactedContent?: string };
}

export type BedrockContentBlock =
  | { text: string }
  | BedrockImage
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: BedrockToolResultContent[]; status?: 'success' | 'error' } }
  | BedrockReasoning
  | BedrockCachePoint
  /** A block of a kind the gateway does not translate, re-sent verbatim. */
  | Record<string, unknown>;

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface BedrockConverseResponse {
  output?: { message?: { role?: string; content?: unknown } };
  stopReason?: string;
  usage?: BedrockUsage;
  metrics?: { latencyMs?: number };
  additionalModelResponseFields?: Record<string, unknown>;
}
