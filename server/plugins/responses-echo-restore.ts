import { isRecord } from '../core/guards.js';
import type { SseMessage } from '../core/stream-event.js';

/**
 * Responses objects repeat the `instructions` they were given. When the gateway
 * changed them (relay policy, prompt rules), the echo is set back to what the
 * client sent, so text it never wrote does not reach it.
 */
export function restoreEchoInBody(text: string, instructions: string | null): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isRecord(json) || !('instructions' in json)) return text;
  json.instructions = instructions;
  return JSON.stringify(json);
}

/** The same for one forwarded stream event: events that carry a `response` object get the client's instructions. */
export function restoreEchoInEvent(message: SseMessage, instructions: string | null): SseMessage {
  if (!message.data.includes('"instructions"')) return message;
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    return message;
  }
  if (!isRecord(json) || !isRecord(json.response) || !('instructions' in json.response)) return message;
  json.response.instructions = instructions;
  return { ...message, data: JSON.stringify(json) };
}
