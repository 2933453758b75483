import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { SseMessage } from '../../core/stream-event.js';
import type { MessageFramer } from './message-framer.js';

/** One event grew past the cap before it was complete (a never-ending line, a huge event). */
export class SseEventTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`An upstream stream event exceeded ${maxBytes} bytes`);
  }
}

/**
 * Turns the chunks of an SSE body into messages as they arrive: each push
 * returns what that chunk completed (often nothing). Memory stays bounded by
 * one partial event (capped); nothing is buffered beyond it.
 */
export class SseFramer implements MessageFramer {
  private pending: SseMessage[] = [];
  private readonly parser: EventSourceParser;
  // A native decoder that keeps a character split across reads (TextDecoder's streaming decode measured 6× slower).
  private readonly decoder = new StringDecoder('utf8');
  private first = true;
  private sinceLastEvent = 0;

  constructor(private readonly maxEventBytes = 0) {
    this.parser = createParser({
      onEvent: (event) => this.pending.push(event.event ? { event: event.event, data: event.data } : { data: event.data }),
    });
  }

  push(chunk: Uint8Array): SseMessage[] {
    this.sinceLastEvent += chunk.length;
    let text = this.decoder.write(chunk);
    if (this.first && text) {
      this.first = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1); // the event-stream format allows one leading BOM
    }
    this.parser.feed(text);
    if (this.pending.length) {
      this.sinceLastEvent = 0;
      return this.take();
    }
    if (this.maxEventBytes > 0 && this.sinceLastEvent > this.maxEventBytes) throw new SseEventTooLargeError(this.maxEventBytes);
    return NONE;
  }

  end(): SseMessage[] {
    this.parser.feed(this.decoder.end());
    return this.pending.length ? this.take() : NONE;
  }

  private take(): SseMessage[] {
    const messages = this.pending;
    this.pending = [];
    return messages;
  }
}

const BOM = 0xfeff;
const NONE: SseMessage[] = [];
