import type { UpstreamWire } from '../../core/wire.js';
import { EventStreamFramer } from './event-stream-reader.js';
import type { MessageFramer } from './message-framer.js';
import { SseFramer } from './sse-reader.js';

/** The framing of a wire format's streams: SSE, or AWS event-stream binary frames for Bedrock. */
export async function framerFor(wire: UpstreamWire, maxEventBytes = 0): Promise<MessageFramer> {
  switch (wire) {
    case 'bedrock-converse':
    case 'bedrock-anthropic':
      return EventStreamFramer.create(maxEventBytes);
    case 'openai-chat':
    case 'openai-responses':
    case 'anthropic-messages':
    case 'gemini':
      return new SseFramer(maxEventBytes);
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
