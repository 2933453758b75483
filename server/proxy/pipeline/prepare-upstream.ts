import type { ModelEntry } from '../../snapshot/types.js';
import { NATIVE_WIRE, UPSTREAM_FORMATS } from '../formats/registry.js';
import { wireOf, type UpstreamOperation } from '../providers/endpoints.js';
import { clientProtocolHeaders } from './client-headers.js';
import type { GenerationContext } from './context.js';
import type { AnswerHooks } from './plugin.js';
import { UpstreamRequest } from './upstream-request.js';

/**
 * One attempt's upstream request: the client's own body when the target speaks
 * the client's wire format (only the model renamed), else the canonical request
 * encoded for the target's format; then every plugin's onPrepareUpstream in
 * order. Returns the request and the answer hooks the plugins asked for.
 */
export function prepareUpstream(
  ctx: GenerationContext,
  model: ModelEntry,
  op: Extract<UpstreamOperation, 'generate' | 'count_tokens'> = 'generate',
): { up: UpstreamRequest; answerHooks: AnswerHooks[] } {
  const wire = wireOf(model.provider);
  const { request } = ctx;
  let up: UpstreamRequest;
  if (NATIVE_WIRE[ctx.api] === wire) {
    up = new UpstreamRequest(model, wire, op, true, ctx.body, ctx.rawBody, request.stream);
    if (ctx.body.model !== model.upstreamModel) up.renameModel(model.upstreamModel);
  } else {
    // Each attempt collects its own warnings (another target may carry more).
    const warnings = [...(request.warnings ?? [])];
    const encoded = UPSTREAM_FORMATS[wire].encodeRequest(request, { upstreamModel: model.upstreamModel, maxOutputTokens: model.maxOutputTokens, warnings });
    up = new UpstreamRequest(model, wire, op, false, encoded, undefined, request.stream, warnings);
  }
  Object.assign(up.headers, clientProtocolHeaders(ctx.api, wire, ctx.req.headers));
  const answerHooks: AnswerHooks[] = [];
  for (const hooks of ctx.hooks) {
    const answer = hooks.onPrepareUpstream?.(up, ctx);
    if (answer) answerHooks.push(answer);
  }
  if (up.op === 'generate' && up.expectStream) up.op = 'stream';
  return { up, answerHooks };
}
