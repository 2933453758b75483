import { invalidRequest } from '../../../core/error.js';

/** POST /v1/moderations: `input` is a string, an array of strings, or an array of text/image parts. */
export function checkModerationRequest(body: Record<string, unknown>): void {
  const input = body.input;
  if (typeof input === 'string') {
    if (!input) throw invalidRequest('input: must not be empty', 'input');
    return;
  }
  if (!Array.isArray(input) || input.length === 0) throw invalidRequest('input: is required (a string or a non-empty array)', 'input');
  for (const [i, item] of input.entries()) {
    const ok = typeof item === 'string' || (item !== null && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string');
    if (!ok) throw invalidRequest(`input[${i}]: must be a string or a part with a type`, `input[${i}]`);
  }
}
