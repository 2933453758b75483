import { createParser } from 'eventsource-parser';
import type { SseMessage } from '../../core/stream-event.js';

/** One event grew past the cap before it was complete (a never-ending line, a huge event). */
export class SseEventTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`An upstream stream event exceeded ${maxBytes} bytes`);
  }
}

/** The stream as a whole lasted longer than its total deadline (the idle timeout alone never fires on a trickle). */
export class StreamDeadlineError extends Error {
  constructor(readonly totalMs: number) {
    super(`The upstream stream did not finish within ${totalMs} ms`);
  }
}

export interface SseReadLimits {
  /** Most bytes received without one complete event (0 = no cap). */
  maxEventBytes?: number;
  /** Longest the whole stream may take, from the first read (0 = no deadline). */
  totalMs?: number;
}

type DestroyableBody = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

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
  let expired: StreamDeadlineError | undefined;
  const deadline =
    totalMs > 0
      ? setTimeout(() => {
          expired = new StreamDeadlineError(totalMs);
          body.destroy?.(expired);
        }, totalMs)
      : undefined;
  try {
    for await (const chunk of body) {
      if (expired) throw expired;
      sinceLastEvent += chunk.length;
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (pending.length) sinceLastEvent = 0;
      else if (maxEventBytes > 0 && sinceLastEvent > maxEventBytes) throw new SseEventTooLargeError(maxEventBytes);
      while (pending.length) yield pending.shift()!;
    }
    if (expired) throw expired;
    parser.feed(decoder.decode());
    while (pending.length) yield pending.shift()!;
  } catch (error) {
    // undici reports a destroyed body with its own error; the deadline is the cause.
    throw expired ?? error;
  } finally {
    if (deadline) clearTimeout(deadline);
  }
}
