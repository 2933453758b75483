import { isRecord } from '../../../core/guards.js';
import type { SseMessage, StreamEvent } from '../../../core/index.js';

/** Parses tool-call argument text; upstreams sometimes send "" for no arguments. */
export function parseArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : { value };
  } catch {
    return { _raw: text };
  }
}

/** A stream event's JSON object, or undefined when the text is not JSON or not an object (such events are skipped). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The push of a stream decoder whose upstream sends one JSON object a message:
 * nothing is decoded once `finished()` says so, and a message that is not a JSON
 * object is skipped.
 */
export function jsonMessages(
  finished: () => boolean,
  decode: (message: SseMessage, data: Record<string, unknown>) => StreamEvent[],
): (message: SseMessage) => StreamEvent[] {
  return (message) => {
    if (finished()) return [];
    const data = parseJsonObject(message.data);
    return data ? decode(message, data) : [];
  };
}
