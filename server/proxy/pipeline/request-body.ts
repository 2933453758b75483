import type { IncomingMessage } from 'node:http';
import type { Config } from '../../config/env.js';
import { BodyTimeoutError, BodyTooLargeError, readBody } from '../../http/body.js';
import { jsonLimitMessage, jsonLimitViolation } from '../../http/json-limits.js';
import { GatewayError } from '../../core/error.js';

export type BodyLimitsConfig = Pick<Config, 'maxBodyBytes' | 'maxJsonDepth' | 'maxJsonElements' | 'requestBodyTimeoutMs'>;

/**
 * Reads and parses a JSON object body; oversize → 413, too slow → 408 (and the
 * connection closed), too deep or too many elements → 400 (decided on the raw
 * bytes, before anything recursive sees the body), malformed → 400; all in
 * the caller's format.
 */
export async function readJsonObject(req: IncomingMessage, limits: BodyLimitsConfig): Promise<{ raw: Buffer; json: Record<string, unknown> }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, { maxBytes: limits.maxBodyBytes, timeoutMs: limits.requestBodyTimeoutMs });
  } catch (error) {
    throw bodyReadError(error);
  }
  const violation = jsonLimitViolation(raw, { maxDepth: limits.maxJsonDepth, maxElements: limits.maxJsonElements });
  if (violation) throw new GatewayError({ status: 400, kind: 'invalid_request', code: 'json_limit_exceeded', message: jsonLimitMessage(violation) });
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new GatewayError({
      status: 400,
      kind: 'invalid_request',
      message: `Request body is not valid JSON: ${(error as Error).message}`,
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new GatewayError({ status: 400, kind: 'invalid_request', message: 'Request body must be a JSON object' });
  }
  return { raw, json: json as Record<string, unknown> };
}

/** A failed body read as the refusal the caller sees; refusals that leave unread bytes close the connection. */
export function bodyReadError(error: unknown): GatewayError {
  if (error instanceof BodyTooLargeError) {
    return new GatewayError({
      status: 413,
      kind: 'request_too_large',
      message: `Request body is larger than the limit of ${error.limit} bytes (MAX_BODY_BYTES)`,
      headers: error.closeConnection ? { connection: 'close' } : undefined,
    });
  }
  if (error instanceof BodyTimeoutError) {
    return new GatewayError({
      status: 408,
      kind: 'invalid_request',
      code: 'request_timeout',
      message: `Request body did not arrive within ${error.timeoutMs} ms (REQUEST_BODY_TIMEOUT_MS)`,
      headers: { connection: 'close' },
    });
  }
  return new GatewayError({ status: 400, kind: 'invalid_request', message: 'Could not read the request body' });
}
