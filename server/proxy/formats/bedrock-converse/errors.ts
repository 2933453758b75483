import type { StreamEvent } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { errorKindOf, plainErrorMessage, streamErrorText, type UpstreamErrorKind } from '../shared/errors.js';

/**
 * Message from a Bedrock error body: `{"message": "…"}` (some services spell it
 * `Message`); the error's type travels in the `x-amzn-ErrorType` header.
 */
export function decodeBedrockErrorMessage(status: number, body: unknown): string {
  if (isRecord(body)) {
    const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : undefined;
    if (message !== undefined) return message;
  }
  return plainErrorMessage(status, body);
}

/** An exception frame of a Bedrock stream (`:exception-type` as its event) → the canonical error event. */
export function bedrockStreamException(type: string, payload: Record<string, unknown>): StreamEvent {
  const { kind, status } = kindFromBedrockException(type);
  return { type: 'error', error: { status, kind, message: `${type}: ${streamErrorText(payload.message)}` } };
}

/** A ConverseStream exception event (`:exception-type`) → gateway kind and status. */
const KIND_BY_EXCEPTION: Readonly<Record<string, UpstreamErrorKind>> = {
  throttlingException: { kind: 'rate_limit', status: 429 },
  serviceUnavailableException: { kind: 'overloaded', status: 503 },
  validationException: { kind: 'invalid_request', status: 400 },
};

export function kindFromBedrockException(type: string): UpstreamErrorKind {
  return errorKindOf(KIND_BY_EXCEPTION, type);
}
