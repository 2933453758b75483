import type { ServerResponse } from 'node:http';
import { sendJson } from '../../http/json.js';
import { GatewayError } from '../../core/error.js';
import type { ClientFormat } from '../formats/format.js';

/** Any failure as a GatewayError; unexpected ones become a 500 without internals. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError({ status: 500, kind: 'internal', message: 'Internal gateway error' });
}

/** Writes the error in the client's own format, with retry-after when known. */
export function sendClientError(res: ServerResponse, client: ClientFormat, error: GatewayError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  sendJson(res, error.status, client.encodeError(error.toShape()), headers);
}
