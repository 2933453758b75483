import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../../http/body.js';
import { GatewayError } from '../canonical/error.js';

/** Reads and parses a JSON object body; oversize → 413, malformed → 400, both in the caller's format. */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<{ raw: Buffer; json: Record<string, unknown> }> {
  let raw: Buffer;
  try {
    raw = await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new GatewayError({ status: 413, kind: 'request_too_large', message: `Request body is larger than the limit of ${limit} bytes` });
    }
    throw new GatewayError({ status: 400, kind: 'invalid_request', message: 'Could not read the request body' });
  }
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
