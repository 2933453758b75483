import type { SseMessage } from '../../core/stream-event.js';
import type { UpstreamWire } from '../../core/wire.js';
import { readEventStream } from './event-stream-reader.js';
import { readSse, type SseReadLimits } from './sse-reader.js';

type Body = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

/** The framing of a wire format's streams: SSE, or AWS event-stream binary frames for Bedrock. */
/** The messages of an upstream stream, in batches: those one read of the body completed. */
export function readUpstreamStream(wire: UpstreamWire, body: Body, limits: SseReadLimits = {}): AsyncGenerator<SseMessage[]> {
  switch (wire) {
    case 'bedrock-converse':
    case 'bedrock-anthropic':
      return readEventStream(body, limits);
    case 'openai-chat':
    case 'openai-responses':
    case 'anthropic-messages':
    case 'gemini':
      return readSse(body, limits);
    default: {
      const _exhaustive: never = wire;
      return _exhaustive;
    }
  }
}

/** The content type a wire format's streams come with. */
export function isStreamContentType(wire: UpstreamWire, type: string): boolean {
  return wire === 'bedrock-converse' || wire === 'bedrock-anthropic' ? type === 'application/vnd.amazon.eventstream' : type === 'text/event-stream';
}
