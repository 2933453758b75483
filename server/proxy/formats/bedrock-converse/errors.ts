import type { GatewayErrorKind } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';

/**
 * Message from a Bedrock error body: `{"message": "…"}` (some services spell it
 * `Message`); the error's type travels in the `x-amzn-ErrorType` header.
 */
export function decodeBedrockErrorMessage(status: number, body: unknown): string {
  if (isRecord(body)) {
    const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : undefined;
    if (message !== undefined) return message;
  }
  if (typeof body === 'string' && body.trim() !== '') return `HTTP ${status}: ${body.slice(0, 500)}`;
  return `Upstream returned HTTP ${status}`;
}

/** A ConverseStream exception event (`:exception-type`) → gateway kind and status. */
export function kindFromBedrockException(type: string): { kind: GatewayErrorKind; status: number } {
  switch (type) {
    case 'throttlingException':
      return { kind: 'rate_limit', status: 429 };
    case 'serviceUnavailableException':
      return { kind: 'overloaded', status: 503 };
    case 'validationException':
      return { kind: 'invalid_request', status: 400 };
    default:
      return { kind: 'upstream', status: 502 };
  }
}
