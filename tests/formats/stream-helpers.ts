/**
 * What the format suites do to every format: read an SSE body as messages,
 * run an upstream format's stream decoder over it, and catch the error a
 * client format's request decoder throws.
 */
import { createParser } from 'eventsource-parser';
import type { GatewayError, SseMessage, StreamEvent } from '../../server/core/index.js';
import type { ClientFormat, UpstreamFormat } from '../../server/proxy/formats/format.js';

/** An SSE body as the messages a stream decoder takes. */
export function sseMessages(text: string): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = createParser({ onEvent: (e) => out.push({ event: e.event, data: e.data }) });
  parser.feed(text);
  return out;
}

/** Every canonical event an upstream format's decoder makes of an SSE body, its end flush included. */
export function decodeSse(format: Pick<UpstreamFormat, 'createStreamDecoder'>, text: string): StreamEvent[] {
  const decoder = format.createStreamDecoder();
  return [...sseMessages(text).flatMap((m) => decoder.push(m)), ...decoder.end()];
}

/** The error a client format's request decoder throws for `body`; fails the test when it accepts it. */
export function rejectionOf(format: Pick<ClientFormat, 'decodeRequest'>, body: unknown): GatewayError {
  try {
    format.decodeRequest(body);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a validation error');
}
