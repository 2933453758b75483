import { isRecord } from '../../../core/guards.js';

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
