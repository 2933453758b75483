import { GatewayError, invalidRequest } from '../../core/error.js';
import { BodyTooLargeError, readBody } from '../../http/body.js';
import { parseForm } from '../formats/media/multipart.js';
import type { ProxyContext } from '../pipeline/context.js';
import { bodyReadError, readJsonObject } from '../pipeline/request-body.js';

/** A JSON body within MAX_BODY_BYTES and the JSON limits, with `model` required; kept on ctx for the log. */
export async function readMediaJson(ctx: ProxyContext): Promise<{ json: Record<string, unknown>; model: string }> {
  const { raw, json } = await readJsonObject(ctx.req, ctx.deps.config);
  ctx.rawBody = raw;
  ctx.body = json;
  return { json, model: modelField(json) };
}

/**
 * A multipart upload read whole within MAX_UPLOAD_BYTES (refused by its
 * Content-Length before a byte is read, or as soon as it passes the cap), so it
 * can be sent again to another target; its text fields are the logged body.
 */
export async function readMediaForm(ctx: ProxyContext): Promise<{ form: FormData; model: string }> {
  const contentType = ctx.req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw invalidRequest('Content-Type: this endpoint takes multipart/form-data');
  }
  const { maxUploadBytes, requestBodyTimeoutMs } = ctx.deps.config;
  let bytes: Buffer;
  try {
    bytes = await readBody(ctx.req, { maxBytes: maxUploadBytes, timeoutMs: requestBodyTimeoutMs });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw bodyReadError(error);
    throw new GatewayError({
      status: 413,
      kind: 'request_too_large',
      message: `The upload is larger than the limit of ${error.limit} bytes (MAX_UPLOAD_BYTES)`,
      headers: error.closeConnection ? { connection: 'close' } : undefined,
    });
  }
  const form = await parseForm(bytes, contentType);
  const model = form.get('model');
  ctx.body = { model: typeof model === 'string' ? model : undefined };
  return { form, model: modelField(ctx.body) };
}

function modelField(body: Record<string, unknown>): string {
  if (typeof body.model !== 'string' || !body.model) throw invalidRequest('model: is required and must be a string', 'model');
  return body.model;
}
