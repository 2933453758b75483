import type { FinishReason } from './finish-reason.js';
import type { GatewayErrorShape } from './error.js';
import type { Usage } from './usage.js';

/**
 * The canonical stream: a discriminated union of parts. Every content block is
 * bracketed by start / delta / end and carries a `block` number unique within
 * the stream, so an encoder can open and close its own format's blocks without
 * looking ahead. Exactly one `finish` ends a good stream; an `error` may arrive
 * at any point and ends it.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number; usage?: Partial<Usage> }
  | { type: 'text-start'; block: number }
  | { type: 'text-delta'; block: number; text: string }
  | { type: 'text-end'; block: number }
  | { type: 'reasoning-start'; block: number; redactedData?: string }
  | { type: 'reasoning-delta'; block: number; text: string }
  | { type: 'reasoning-signature'; block: number; signature: string }
  /** `encryptedContent` (and `itemId`): OpenAI's stateless reasoning state, known when the item completes. */
  | { type: 'reasoning-end'; block: number; encryptedContent?: string; itemId?: string }
  /**
   * `kind: 'custom'`: the deltas are the raw input of a freeform tool, not JSON.
   * `signature`: Gemini's thoughtSignature for the call.
   */
  | { type: 'tool-call-start'; block: number; id: string; name: string; kind?: 'function' | 'custom'; namespace?: string; signature?: string }
  | { type: 'tool-call-delta'; block: number; argumentsDelta: string }
  | { type: 'tool-call-end'; block: number }
  /** Usage known so far (upstreams report it at different moments); later values win per field. */
  | { type: 'usage'; usage: Partial<Usage> }
  | { type: 'finish'; finishReason: FinishReason; stopSequence?: string; usage: Usage }
  | { type: 'error'; error: GatewayErrorShape };

/** One server-sent event as read from an upstream (after SSE framing is parsed). */
export interface SseMessage {
  event?: string;
  data: string;
}

/** Upstream format → canonical, one SSE message at a time. */
export interface StreamDecoder {
  push(message: SseMessage): StreamEvent[];
  /** The upstream closed; returns whatever closing events are still owed (e.g. a missing finish). */
  end(): StreamEvent[];
}

/** Canonical → client format, producing the exact bytes (SSE text) to write. */
export interface StreamEncoder {
  push(event: StreamEvent): string;
  /** Called once after the last event; returns trailing text such as `data: [DONE]`. */
  end(): string;
}
