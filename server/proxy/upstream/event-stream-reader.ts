import type { EventStreamCodec } from '@smithy/core/event-streams';
import { GatewayError } from '../../core/error.js';
import { once } from '../../core/once.js';
import type { SseMessage } from '../../core/stream-event.js';
import type { MessageFramer } from './message-framer.js';
import { SseEventTooLargeError } from './sse-reader.js';

/** A frame whose checksums do not match, or whose framing is impossible: a broken upstream (502). */
const badFrame = (message: string): GatewayError => new GatewayError({ status: 502, kind: 'upstream', code: 'upstream_bad_stream', message });

/** The codec, built on the first event stream: a gateway without Bedrock never loads its packages. */
const loadCodec = once(() =>
  Promise.all([import('@smithy/core/event-streams'), import('@smithy/util-utf8')]).then(
    ([{ EventStreamCodec }, { fromUtf8, toUtf8 }]): EventStreamCodec => new EventStreamCodec(toUtf8, fromUtf8),
  ),
);
/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MIN_FRAME = 16;

/**
 * Cuts an AWS event stream (`application/vnd.amazon.eventstream`, Bedrock's
 * ConverseStream) into the same messages the SSE framer gives: `event` is the
 * frame's `:event-type` (or `:exception-type` for an exception frame), `data`
 * its payload as text. Frames are decoded as soon as their last byte arrives,
 * with both CRCs checked; memory stays bounded by one partial frame (capped by
 * `maxEventBytes` from its declared length, before it is buffered).
 */
export class EventStreamFramer implements MessageFramer {
  private buffer = Buffer.alloc(0);

  private constructor(
    private readonly codec: EventStreamCodec,
    private readonly maxEventBytes: number,
  ) {}

  /** A framer, once the codec is loaded. */
  static async create(maxEventBytes = 0): Promise<EventStreamFramer> {
    return new EventStreamFramer(await loadCodec(), maxEventBytes);
  }

  push(chunk: Uint8Array): SseMessage[] {
    let buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    const messages: SseMessage[] = [];
    while (buffer.length >= 4) {
      const total = buffer.readUInt32BE(0);
      if (total < MIN_FRAME) throw badFrame(`An upstream event-stream frame declares ${total} bytes`);
      if (this.maxEventBytes > 0 && total > this.maxEventBytes) throw new SseEventTooLargeError(this.maxEventBytes);
      if (buffer.length < total) break;
      const frame = buffer.subarray(0, total);
      buffer = buffer.subarray(total);
      messages.push(toMessage(this.codec, frame));
    }
    this.buffer = buffer;
    return messages;
  }

  end(): SseMessage[] {
    if (this.buffer.length) throw badFrame('The upstream event stream ended inside a frame');
    return [];
  }
}

function toMessage(codec: EventStreamCodec, frame: Uint8Array): SseMessage {
  let decoded;
  try {
    decoded = codec.decode(frame);
  } catch (error) {
    throw badFrame(`An upstream event-stream frame is corrupt (${(error as Error).message})`);
  }
  const header = (name: string): string | undefined => {
    const value = decoded.headers[name];
    return value?.type === 'string' ? value.value : undefined;
  };
  const data = Buffer.from(decoded.body.buffer, decoded.body.byteOffset, decoded.body.byteLength).toString('utf8');
  switch (header(':message-type')) {
    case 'exception':
      return { event: header(':exception-type') ?? 'unknownException', data };
    case 'error':
      // A transport-level error frame carries its code and message in headers, not the payload.
      return { event: `${header(':error-code') ?? 'unknown'}Exception`, data: JSON.stringify({ message: header(':error-message') ?? '' }) };
    case undefined:
    default: {
      const event = header(':event-type');
      return event ? { event, data } : { data };
    }
  }
}
