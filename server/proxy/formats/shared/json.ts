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
