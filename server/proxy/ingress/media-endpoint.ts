import type { Dispatcher } from 'undici';
import type { MediaEndpoint } from '../../core/media-endpoint.js';
import { invalidRequest } from '../../core/error.js';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { ModelEntry, VirtualModelEntry } from '../../snapshot/types.js';
import { loggedAttempt } from '../pipeline/attempt-log.js';
import { attribute } from '../pipeline/attribution.js';
import { routeAttempts, type AttemptRun } from '../pipeline/attempt-loop.js';
import type { PipelineDeps, ProxyContext } from '../pipeline/context.js';
import { asGatewayError } from '../pipeline/errors.js';
import { resolveName } from '../pipeline/resolve-model.js';
import { callUpstream } from '../pipeline/upstream-call.js';
import { servesEndpoint } from '../providers/endpoints.js';
import { proxyEndpoint } from './endpoint.js';

/** A client's request to one of the endpoints beyond text generation, read and checked. */
export interface MediaCall<R> {
  /** The public model name (a model or a virtual model). */
  model: string;
  request: R;
  /** For TPM admission until the real usage is known. */
  estimatedTokens: number;
}

/** One attempt's upstream body, and what the request log keeps of it when that differs (forms: no file bytes). */
export interface UpstreamBody {
  bytes: string | Buffer;
  contentType: string;
  logged?: string;
}

/** What one endpoint adds to the shared shell: its body, its upstream encoding, its answer (usage and unit cost set on ctx). */
export interface MediaSpec<R> {
  read(ctx: ProxyContext): Promise<MediaCall<R>>;
  encode(request: R, model: ModelEntry): UpstreamBody | Promise<UpstreamBody>;
  answer(ctx: ProxyContext, model: ModelEntry, response: Dispatcher.ResponseData, request: R): Promise<void>;
}

const PATHS: Record<MediaEndpoint, string> = {
  image_generations: '/v1/images/generations',
  image_edits: '/v1/images/edits',
  audio_speech: '/v1/audio/speech',
  audio_transcriptions: '/v1/audio/transcriptions',
  rerank: '/v1/rerank',
  moderations: '/v1/moderations',
};

/**
 * The handler of an endpoint beyond text generation, on the shell every /v1
 * endpoint shares (errors in OpenAI's format, one record, the limit release):
 * authenticate → read and check the body → the key's allow-list → end user and
 * tags (attribution.ts) → resolve (a
 * model, or a virtual model whose targets serve the endpoint) → limits → one
 * attempt, or the attempt loop with failover over the targets.
 */
export function mediaHandler<R>(endpoint: MediaEndpoint, deps: PipelineDeps, spec: MediaSpec<R>) {
  return proxyEndpoint('chat-completions', endpoint, deps, async (ctx) => {
    const snapshot = deps.snapshot.current;
    const key = (ctx.key = authenticate(ctx.req.headers, snapshot));
    const call = await spec.read(ctx);
    authorizeModel(key, call.model);
    attribute(ctx);
    const resolved = resolveName(snapshot, call.model);
    let route: VirtualModelEntry | undefined;
    if (resolved.kind === 'route') route = servingRoute(resolved.route, endpoint);
    else {
      ctx.model = resolved.model;
      if (!servesEndpoint(resolved.model.provider, endpoint)) {
        throw invalidRequest(`model: the provider "${resolved.model.provider.name}" does not offer ${PATHS[endpoint]} through this gateway`, 'model');
      }
    }
    ctx.admission = await deps.limits.admit(key, call.estimatedTokens, { model: call.model, endUser: ctx.endUser });
    for (const [name, value] of Object.entries(ctx.admission.headers)) ctx.res.setHeader(name, value);

    const run: AttemptRun = async (model, signal, onResponse) => {
      const body = await spec.encode(call.request, model);
      // The log keeps what was sent (a form as its fields and file sizes, never the file bytes).
      const sent = body.logged ?? body.bytes;
      const response = await callUpstream(model, endpoint, body.bytes, signal, { 'content-type': body.contentType }, (url, headers) => {
        ctx.upstreamSent = { url, headers, body: sent };
      });
      onResponse();
      await spec.answer(ctx, model, response, call.request);
    };
    if (route) return routeAttempts(ctx, route, deps.router, run);
    const model = ctx.model!;
    ctx.attempts = 1;
    await loggedAttempt(ctx, model, () => run(model, ctx.abort, () => {}), asGatewayError);
  });

  /** The virtual model with only the targets whose provider serves the endpoint (none: 400). */
  function servingRoute(route: VirtualModelEntry, ep: MediaEndpoint): VirtualModelEntry {
    const targets = route.targets.filter((t) => servesEndpoint(t.model.provider, ep));
    if (!targets.length) throw invalidRequest(`model: no target of "${route.name}" offers ${PATHS[ep]} through this gateway`, 'model');
    return targets.length === route.targets.length ? route : { ...route, targets };
  }
}
