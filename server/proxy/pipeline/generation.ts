import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { GenerationContext, ProxyContext } from './context.js';
import { attribute } from './attribution.js';
import { startPluginHooks } from './new-context.js';
import type { PluginAnswer } from './plugin.js';
import { readJsonObject } from './request-body.js';
import { resolveName, type Resolved } from './resolve-model.js';

export interface ReadGeneration {
  ctx: GenerationContext;
  resolved: Resolved;
  /** Set when a plugin answers the request itself (no upstream call). */
  answer?: PluginAnswer;
}

/**
 * The stages every generation-like endpoint shares, in order: authenticate →
 * the plugins' hooks for this request → read the body (end user and tags) → onBody → decode →
 * authorize the model → resolve it (a model or a virtual model) → onResolved.
 * `decode` is the endpoint's decoder (count_tokens adapts the body first).
 */
export async function readGeneration(ctx: ProxyContext, decode: (body: Record<string, unknown>) => CanonicalRequest): Promise<ReadGeneration> {
  const snapshot = ctx.deps.snapshot.current;
  ctx.key = authenticate(ctx.req.headers, snapshot);
  startPluginHooks(ctx);
  const { raw, json } = await readJsonObject(ctx.req, ctx.deps.config);
  ctx.rawBody = raw;
  ctx.body = json;
  attribute(ctx);
  let decodable = json;
  for (const hooks of ctx.hooks) decodable = hooks.onBody?.(decodable, ctx) ?? decodable;
  ctx.request = decode(decodable);
  const gen = ctx as GenerationContext;
  authorizeModel(gen.key, gen.request.model);
  const resolved = resolveName(snapshot, gen.request.model);
  if (resolved.kind === 'model') gen.model = resolved.model;
  let answer: PluginAnswer | undefined;
  for (const hooks of gen.hooks) {
    if (!hooks.onResolved) continue;
    const result = await hooks.onResolved(gen, resolved);
    if (result) {
      answer = result;
      break;
    }
  }
  return { ctx: gen, resolved, answer };
}
