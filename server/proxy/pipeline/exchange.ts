import { performance } from 'node:perf_hooks';
import { sendJson } from '../../http/json.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { answerFromStream } from './answer-from-stream.js';
import { relayStream } from './answer-stream.js';
import type { GenerationContext } from './context.js';
import { asGatewayError } from './errors.js';
import { decodeOrBadGateway } from './guarded-decode.js';
import type { AnswerHooks } from './plugin.js';
import { prepareUpstream } from './prepare-upstream.js';
import { streamTotalMs } from './stream-watch.js';
import { injectedTokenCount } from './injected-tokens.js';
import { callUpstreamJson, callUpstreamStream } from './upstream-call.js';
import type { UpstreamRequest } from './upstream-request.js';
import { noteWarnings } from './warnings.js';
import type { AbortLike } from '../../http/light-abort.js';

/**
 * One attempt against one model: prepare the upstream request (plugins
 * included), send, then answer the client (whole or streamed). Throws
 * GatewayError while nothing has been sent to the client, so a caller may try
 * another target; after the first byte, failures become an in-stream error
 * event in the client's format.
 */
export async function exchange(
  ctx: GenerationContext,
  model: ModelEntry,
  signal: AbortLike = ctx.abort,
  /** Called once the upstream has answered with a success status (before the body). */
  onResponse?: () => void,
): Promise<void> {
  const { up, answerHooks } = prepareUpstream(ctx, model);
  try {
    await answer(ctx, model, up, answerHooks, signal, onResponse);
  } catch (error) {
    for (const h of answerHooks) h.onAttemptEnd?.(asGatewayError(error));
    throw error;
  }
  for (const h of answerHooks) h.onAttemptEnd?.();
}

async function answer(
  ctx: GenerationContext,
  model: ModelEntry,
  up: UpstreamRequest,
  answerHooks: AnswerHooks[],
  signal: AbortLike,
  onResponse: (() => void) | undefined,
): Promise<void> {
  ctx.injectedTokens = injectedTokenCount(up.injected);
  noteWarnings(ctx, up.warnings);
  const body = up.bytes();
  const onSend = (url: string, headers: Record<string, string>) => (ctx.upstreamSent = { url, headers, body });
  const { config } = ctx.deps;
  if (!ctx.request.stream && !up.expectStream) {
    const { text, json } = await callUpstreamJson(model, up.op, body, signal, {
      maxBytes: config.maxUpstreamResponseBytes,
      protocolHeaders: up.headers,
      onSend,
      onResponse,
    });
    ctx.ttftMs = performance.now() - ctx.startedAt;
    return sendWholeAnswer(ctx, up, answerHooks, text, json);
  }
  const messages = await callUpstreamStream(model, up.op, body, signal, {
    maxEventBytes: config.maxUpstreamResponseBytes,
    totalMs: streamTotalMs(model.provider.options, config.upstreamStreamTotalMs),
    expectStream: up.expectStream,
    protocolHeaders: up.headers,
    onSend,
  });
  onResponse?.();
  const format = UPSTREAM_FORMATS[up.wire];
  if (ctx.request.stream) return relayStream(ctx, messages, format, up, answerHooks);
  // An upstream asked to stream (e.g. a relay that only streams) for a client that asked for one whole answer.
  return answerFromStream(ctx, messages, format, answerHooks);
}

/** A whole upstream answer to the client: its own bytes on a passthrough, else encoded in the client's format. */
async function sendWholeAnswer(ctx: GenerationContext, up: UpstreamRequest, hooks: AnswerHooks[], text: string, json: unknown): Promise<void> {
  let canonical = decodeOrBadGateway(up.model.provider, () => UPSTREAM_FORMATS[up.wire].decodeResponse(json));
  for (const h of hooks) if (h.onResponse) canonical = h.onResponse(canonical) ?? canonical;
  for (const h of hooks) if (h.beforeAnswer) await h.beforeAnswer(canonical);
  ctx.usage = canonical.usage;
  ctx.response = canonical;
  if (up.passthrough && !up.translateAnswer) {
    let out = text;
    for (const h of hooks) if (h.onUpstreamBody) out = h.onUpstreamBody(out);
    if (ctx.key.logBodies) ctx.responseBody = out;
    ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    ctx.res.end(out);
  } else {
    const encoded = ctx.client.encodeResponse(canonical, ctx.request);
    if (ctx.key.logBodies) ctx.responseBody = JSON.stringify(encoded);
    sendJson(ctx.res, 200, encoded);
  }
  ctx.completed = true;
}
