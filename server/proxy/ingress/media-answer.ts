import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { ModelEntry } from '../../snapshot/types.js';
import type { ProxyContext } from '../pipeline/context.js';
import { readUpstreamJson } from '../pipeline/upstream-call.js';
import { upstreamTransportError } from '../upstream/upstream-error.js';

/** The upstream's whole JSON answer, read within MAX_UPSTREAM_RESPONSE_BYTES. */
export function readAnswerJson(ctx: ProxyContext, model: ModelEntry, response: Dispatcher.ResponseData): Promise<{ text: string; json: unknown }> {
  return readUpstreamJson(response, model, ctx.deps.config.maxUpstreamResponseBytes);
}

/** A whole JSON answer to the client (kept for the log when the key logs bodies). */
export function sendAnswerText(ctx: ProxyContext, text: string, contentType = 'application/json'): void {
  ctx.ttftMs ??= performance.now() - ctx.startedAt;
  if (ctx.key?.logBodies) ctx.responseBody = text;
  ctx.res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  ctx.res.end(text);
  ctx.completed = true;
}

export function headerOf(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The upstream's answer streamed through as it arrives (audio, text, event
 * streams), with its content type; the client's pace is kept (drain), so memory
 * stays bounded whatever the size. A break after the first byte cuts the client's connection.
 */
export async function pipeAnswer(ctx: ProxyContext, model: ModelEntry, response: Dispatcher.ResponseData): Promise<void> {
  const headers: Record<string, string> = { 'content-type': headerOf(response, 'content-type') ?? 'application/octet-stream' };
  const length = headerOf(response, 'content-length');
  if (length) headers['content-length'] = length;
  ctx.res.writeHead(200, headers);
  try {
    for await (const chunk of response.body) {
      ctx.ttftMs ??= performance.now() - ctx.startedAt;
      if (!ctx.res.write(chunk)) await once(ctx.res, 'drain', { signal: ctx.abort.signal });
    }
  } catch (error) {
    if (ctx.abort.aborted) throw error;
    // Cut, not ended: a client must not take a truncated answer for a whole one.
    ctx.res.destroy();
    throw upstreamTransportError(error, model.provider);
  }
  ctx.res.end();
  ctx.completed = true;
}
