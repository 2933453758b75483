import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/env.js';
import { BodyTimeoutError, BodyTooLargeError, readBody } from './body.js';
import { sendJson } from './json.js';
import { jsonLimitMessage, jsonLimitViolation } from './json-limits.js';

/** Largest /graphql request body: admin operations are small. */
export const GRAPHQL_BODY_LIMIT = 1024 * 1024;

type Limits = Pick<Config, 'maxJsonDepth' | 'maxJsonElements' | 'requestBodyTimeoutMs'>;

/**
 * Reads a /graphql POST body under the same bounds as /v1 (size, arrival time,
 * JSON depth and elements, decided before yoga parses anything). On refusal
 * the answer, in GraphQL's error shape, is already sent and undefined returned.
 */
export async function readGraphQLBody(req: IncomingMessage, res: ServerResponse, limits: Limits): Promise<Buffer | undefined> {
  const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
    return undefined;
  };
  let body: Buffer;
  try {
    body = await readBody(req, { maxBytes: GRAPHQL_BODY_LIMIT, timeoutMs: limits.requestBodyTimeoutMs });
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuse(413, 'PAYLOAD_TOO_LARGE', error.message, error.closeConnection ? { connection: 'close' } : {});
    }
    if (error instanceof BodyTimeoutError) return refuse(408, 'REQUEST_TIMEOUT', error.message, { connection: 'close' });
    return refuse(400, 'BAD_REQUEST', 'Could not read the request body');
  }
  const violation = jsonLimitViolation(body, { maxDepth: limits.maxJsonDepth, maxElements: limits.maxJsonElements });
  if (violation) return refuse(400, 'BAD_REQUEST', jsonLimitMessage(violation));
  return body;
}
