import { isRecord } from '../../../core/guards.js';
import { plainErrorMessage } from '../shared/errors.js';

/** Message from a Google error body `{error: {code, message, status}}` (or a list of them). */
export function decodeGeminiErrorMessage(status: number, body: unknown): string {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (isRecord(first) && isRecord(first.error) && typeof first.error.message === 'string') {
    const code = typeof first.error.status === 'string' ? `${first.error.status}: ` : '';
    return `${code}${first.error.message}`;
  }
  return plainErrorMessage(status, body);
}
