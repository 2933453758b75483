import type { GatewayErrorShape } from '../../core/error.js';
import { GatewayError } from '../../core/error.js';
import type { UpstreamWire } from '../../core/wire.js';
import type { SseMessage, StreamEvent } from '../../core/stream-event.js';
import type { ProviderEntry } from '../../snapshot/types.js';
import { SseEventTooLargeError } from '../upstream/sse-reader.js';
import { StreamDeadlineError } from '../upstream/message-stream.js';
import { upstreamTransportError } from '../upstream/upstream-error.js';

/**
 * Decides how an upstream stream ended, the same way for a stream forwarded as
 * received (same wire format) and one translated for the client. The decoder
 * already reads every event; the watch adds what it does not judge:
 *
 * - an event that is not JSON (or not an object) is a broken upstream, not
 *   something to skip: the stream stops with an error;
 * - a good stream ends with its wire format's final event (`[DONE]`,
 *   `message_stop`, `response.completed`, Bedrock's `metadata`); a body that ends before it was cut
 *   off, even when the decoder could close it (a chat finish_reason without
 *   `[DONE]` may lack its usage chunk). Gemini has no final event: the
 *   decoder's own finish rule stands.
 */
export class StreamWatch {
  /** A finish or an error has been seen: nothing after it matters. */
  ended = false;
  /** The upstream's own final event arrived and the answer finished well. */
  completed = false;

  constructor(private readonly wire: UpstreamWire) {}

  /** Checks one upstream message and the events the decoder made of it; throws a 502 for garbage. */
  push(message: SseMessage, events: StreamEvent[]): StreamEvent[] {
    if (events.length === 0) {
      if (!isIgnorable(message) && !isJsonObject(message.data)) {
        throw new GatewayError({
          status: 502,
          kind: 'upstream',
          code: 'upstream_bad_stream',
          message: 'The provider sent a stream event that is not valid JSON',
        });
      }
      return events;
    }
    for (const event of events) {
      if (event.type === 'finish') this.ended = this.completed = true;
      else if (event.type === 'error') this.ended = true;
    }
    return events;
  }

  /** The upstream body ended: the decoder's closing events, with a finish turned into an error if the final event never came. */
  end(events: StreamEvent[]): StreamEvent[] {
    if (this.ended) return events;
    this.ended = true;
    const finishAt = events.findIndex((e) => e.type === 'finish');
    if (finishAt === -1) return events;
    if (this.wire === 'gemini') {
      this.completed = true;
      return events;
    }
    const cut: GatewayErrorShape = {
      status: 502,
      kind: 'upstream',
      code: 'upstream_stream_truncated',
      message: `The provider's stream ended before its final event (${FINAL_EVENT[this.wire]})`,
    };
    return [...events.slice(0, finishAt), { type: 'error', error: cut }];
  }
}

const FINAL_EVENT: Record<Exclude<UpstreamWire, 'gemini'>, string> = {
  'openai-chat': 'data: [DONE]',
  'anthropic-messages': 'message_stop',
  'openai-responses': 'response.completed',
  'bedrock-converse': 'metadata',
  'bedrock-anthropic': 'message_stop',
};

/** Keep-alives and markers that carry no JSON by design. */
function isIgnorable(message: SseMessage): boolean {
  const data = message.data.trim();
  return data === '' || data === '[DONE]' || message.event === 'ping';
}

function isJsonObject(data: string): boolean {
  try {
    const value = JSON.parse(data) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The stream's whole-duration deadline: the provider's `timeouts.totalMs`, else the instance default. */
export function streamTotalMs(providerOptions: Record<string, unknown>, instanceDefault: number): number {
  const timeouts = providerOptions.timeouts as { totalMs?: unknown } | undefined;
  const own = timeouts?.totalMs;
  return typeof own === 'number' && own > 0 ? own : instanceDefault;
}

/** Why reading an upstream stream failed, as the client and the log see it. */
export function streamFailure(error: unknown, provider: ProviderEntry): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof StreamDeadlineError) {
    return new GatewayError({
      status: 504,
      kind: 'timeout',
      message: `The provider "${provider.name}" did not finish its stream within ${error.totalMs} ms (timeouts.totalMs / UPSTREAM_STREAM_TOTAL_MS)`,
    });
  }
  if (error instanceof SseEventTooLargeError) {
    return new GatewayError({
      status: 502,
      kind: 'upstream',
      code: 'upstream_response_too_large',
      message: `The provider "${provider.name}" sent a stream event larger than ${error.maxBytes} bytes (MAX_UPSTREAM_RESPONSE_BYTES)`,
    });
  }
  return upstreamTransportError(error, provider);
}
