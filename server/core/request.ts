import type { Message } from './message.js';
import type { ToolChoice, ToolDefinition } from './tool.js';

export type ResponseFormat =
  { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface ReasoningConfig {
  /** OpenAI-style effort. */
  effort?: ReasoningEffort;
  /** Anthropic / Gemini thinking budget in tokens. */
  budgetTokens?: number;
  /** Thinking explicitly disabled by the caller. */
  disabled?: boolean;
  /** Responses API reasoning summary preference (auto | concise | detailed). */
  summary?: string;
}

/**
 * One request, whichever client API it came in through. Fields a format has no
 * room for are translated by that format's encoder or refused with a clear error.
 */
export interface CanonicalRequest {
  /** The model name the client asked for (public name); encoders use the target's upstream id. */
  model: string;
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  reasoning?: ReasoningConfig;
  stream: boolean;
  /** Chat Completions `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** End-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Caller metadata (Responses / Anthropic `metadata`). */
  metadata?: Record<string, unknown>;
  /** Responses API `store`. */
  store?: boolean;
  /** Responses API `instructions`, kept apart so the response can echo it. */
  instructions?: string;
  /** OpenAI `prompt_cache_key` (Responses and Chat). */
  promptCacheKey?: string;
  /** OpenAI `text.verbosity` / chat `verbosity` (low | medium | high). */
  verbosity?: string;
  /** OpenAI `service_tier` vocabulary (auto | default | flex | priority | scale); Anthropic's is mapped onto it. */
  serviceTier?: string;
  /**
   * Client fields the canonical model does not carry, by their client-side name
   * (`client_metadata`, `context_management`, …). A passthrough sends them anyway;
   * an encoder for another wire format lists each as dropped.
   */
  unmapped?: string[];
  /** Notes made while decoding (something the client sent that was not kept), reported like encoder warnings. */
  warnings?: string[];
}
