import type { SseMessage } from '../../core/stream-event.js';

/**
 * Cuts a stream body into messages as its chunks arrive, synchronously: each
 * push returns the messages that chunk completed, in an array the caller may
 * keep and add to (an empty one may be shared: never added to). Throws on a
 * message past its size cap or on broken framing; `end` throws when the body
 * stopped inside a message.
 */
export interface MessageFramer {
  push(chunk: Uint8Array): SseMessage[];
  end(): SseMessage[];
}
