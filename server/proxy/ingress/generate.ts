import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import { applyPromptRules } from '../../prompts/apply.js';
import { routeRequest } from '../../routing/route-request.js';
import type { Services } from '../../services.js';
import type { ClientApi } from '../../core/wire.js';
import { exchange } from '../pipeline/exchange.js';
import { resolveName } from '../pipeline/resolve-model.js';
import { proxyEndpoint } from './endpoint.js';
import { readJsonObject } from './request-body.js';
import { continueConversation, previousResponseIdOf, withoutPreviousResponseId } from '../../response-store/index.js';

/**
 * The handler behind /v1/chat/completions, /v1/responses and /v1/messages:
 * authenticate → read and decode → resolve (and apply the virtual model's
 * prompt rules) → admit → route or exchange.
 */
export function generationHandler(api: ClientApi, services: Services) {
  return proxyEndpoint(api, api, services, async (ctx) => {
    const snapshot = services.snapshot.current;
    ctx.key = authenticate(ctx.req.headers, snapshot);
    const { raw, json } = await readJsonObject(ctx.req, services.config);
    ctx.rawBody = raw;
    ctx.body = json;
    // A Responses follow-up is decoded without its previous_response_id: the store resolves the id once the model is known.
    const previousId = api === 'responses' ? previousResponseIdOf(json) : undefined;
    ctx.request = ctx.client.decodeRequest(previousId === undefined ? json : withoutPreviousResponseId(json));
    authorizeModel(ctx.key, ctx.request.model);
    const resolved = resolveName(snapshot, ctx.request.model);
    if (api === 'responses') await continueConversation(ctx, resolved, previousId);
    if (resolved.kind === 'model') ctx.model = resolved.model;
    else if (resolved.route.promptRules.length) ctx.rulesApplied = applyPromptRules(resolved.route.promptRules, ctx.request);
    // A cheap estimate (about 4 bytes a token) for in-flight TPM; real usage replaces it on release.
    ctx.admission = await services.limits.admit(ctx.key, Math.ceil(raw.length / 4));
    for (const [name, value] of Object.entries(ctx.admission.headers)) ctx.res.setHeader(name, value);
    if (resolved.kind === 'route') return routeRequest(ctx, resolved.route, services.router);
    ctx.attempts = 1;
    await exchange(ctx, resolved.model);
  });
}
