import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/json.js';
import type { ClientApi } from '../core/wire.js';
import { CLIENT_FORMATS } from './formats/registry.js';

/** The client API a /v1 path belongs to, for errors before any handler ran: Messages for `/v1/messages*`, else OpenAI. */
export function clientApiForPath(pathname: string): ClientApi {
  return pathname === '/v1/messages' || pathname.startsWith('/v1/messages/') ? 'messages' : 'chat-completions';
}

/** 405 (the path exists under another method) or 404 (unknown endpoint) on /v1, in the caller's error format. */
export function sendV1Refusal(res: ServerResponse, pathname: string, method: string, pathExists: boolean): void {
  const client = CLIENT_FORMATS[clientApiForPath(pathname)];
  if (pathExists) {
    const body = client.encodeError({
      status: 405,
      kind: 'invalid_request',
      message: `Method ${method} not allowed on ${pathname}`,
      code: 'method_not_allowed',
    });
    return sendJson(res, 405, body);
  }
  const body = client.encodeError({ status: 404, kind: 'not_found', message: `Unknown endpoint ${pathname}`, code: 'not_found' });
  sendJson(res, 404, body);
}
