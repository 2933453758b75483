import { createParser } from 'eventsource-parser';
import type { SseMessage } from '../../core/stream-event.js';
import { chunksWithin, type DestroyableBody } from './stream-deadline.js';

/** One event grew past the cap before it was complete (a never-ending line, a huge event). */
export class SseEventTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`An upstream stream event exceeded ${maxBytes} bytes`);
  }
}

export interface SseReadLimits {
  /** Most bytes received without one complete event (0 = no cap). */
  maxEventBytes?: number;
  /** Longest the whole stream may take, from the first read (0 = no deadline). */
  totalMs?: number;
}

/**
 * Turns an upstream byte stream into SSE messages as they arrive. Memory stays
 * bounded by one partial event (capped); nothing is buffered beyond it. The
 * total deadline destroys the body, so a pending read ends at once.
 */
export async function* readSse(body: DestroyableBody, limits: SseReadLimits = {}): AsyncGenerator<SseMessage> {
  const { maxEventBytes = 0, totalMs = 0 } = limits;
  const pending: SseMessage[] = [];
  const parser = createParser({
    onEvent: (event) => pending.push(event.event ? { event: event.event, data: event.data } : { data: event.data }),
  });
  const decoder = new TextDecoder();
  let sinceLastEvent = 0;
  for await (const chunk of chunksWithin(body, totalMs)) {
    sinceLastEvent += chunk.length;
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length) sinceLastEvent = 0;
    else if (maxEventBytes > 0 && sinceLastEvent > maxEventBytes) throw new SseEventTooLargeError(maxEventBytes);
    while (pending.length) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  while (pending.length) yield pending.shift()!;
}
