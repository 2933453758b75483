import { createParser } from 'eventsource-parser';
import type { SseMessage } from '../canonical/stream-event.js';

/**
 * Turns an upstream byte stream into SSE messages as they arrive. Memory stays
 * bounded by one partial event; nothing is buffered beyond it.
 */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseMessage> {
  const pending: SseMessage[] = [];
  const parser = createParser({
    onEvent: (event) => pending.push(event.event ? { event: event.event, data: event.data } : { data: event.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  while (pending.length) yield pending.shift()!;
}
