import type { ClientApi } from '../../core/wire.js';
import { routeRequest } from '../pipeline/attempt-loop.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { loggedAttempt } from '../pipeline/attempt-log.js';
import { asGatewayError } from '../pipeline/errors.js';
import { exchange } from '../pipeline/exchange.js';
import { readGeneration } from '../pipeline/generation.js';
import { serveAnswer } from '../pipeline/serve-answer.js';
import { proxyEndpoint } from './endpoint.js';

/**
 * The handler behind /v1/chat/completions, /v1/responses and /v1/messages:
 * read, decode and resolve (plugins' onBody/onResolved included) → admit →
 * a plugin's own answer, or route (virtual model) or exchange (model).
 */
export function generationHandler(api: ClientApi, deps: PipelineDeps) {
  return proxyEndpoint(api, api, deps, async (shell) => {
    const { ctx, resolved, answer } = await readGeneration(shell, (body) => shell.client.decodeRequest(body));
    // A cheap estimate (about 4 bytes a token) for in-flight TPM; real usage replaces it on release.
    ctx.admission = await deps.limits.admit(ctx.key, Math.ceil(ctx.rawBody.length / 4), { model: ctx.request.model, endUser: ctx.endUser });
    for (const [name, value] of Object.entries(ctx.admission.headers)) ctx.res.setHeader(name, value);
    if (answer) return serveAnswer(ctx, answer);
    if (resolved.kind === 'route') return routeRequest(ctx, resolved.route, deps.router);
    ctx.attempts = 1;
    await loggedAttempt(ctx, resolved.model, () => exchange(ctx, resolved.model), asGatewayError);
  });
}
