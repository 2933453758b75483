import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, authorizeModel } from '../../keys/authenticate.js';
import type { Services } from '../../services.js';
import type { GatewayError } from '../canonical/error.js';
import type { ClientApi } from '../canonical/format.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';
import { exchange } from '../pipeline/exchange.js';
import { newProxyContext } from '../pipeline/new-context.js';
import { recordRequest } from '../pipeline/record.js';
import { resolveName } from '../pipeline/resolve-model.js';
import { routeRequest } from '../../routing/route-request.js';
import { readJsonObject } from './request-body.js';
import type { Admission } from '../../limits/types.js';

/**
 * The handler behind /v1/chat/completions, /v1/responses and /v1/messages:
 * authenticate → read and decode → resolve → exchange → record. Every failure
 * reaches the client in its own API's error format.
 */
export function generationHandler(api: ClientApi, services: Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = newProxyContext(api, api, services, req, res);
    let failure: GatewayError | undefined;
    let admission: Admission | undefined;
    try {
      ctx.key = authenticate(req.headers, services.snapshot.current);
      const { raw, json } = await readJsonObject(req, services.config.maxBodyBytes);
      ctx.rawBody = raw;
      ctx.body = json;
      ctx.request = ctx.client.decodeRequest(json);
      authorizeModel(ctx.key, ctx.request.model);
      const resolved = resolveName(services.snapshot.current, ctx.request.model);
      if (resolved.kind === 'model') ctx.model = resolved.model;
      // A cheap estimate (about 4 bytes a token) for in-flight TPM; real usage replaces it on release.
      admission = await services.limits.admit(ctx.key, Math.ceil(raw.length / 4));
      for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
      if (resolved.kind === 'route') await routeRequest(ctx, resolved.route, services.router);
      else {
        ctx.attempts = 1;
        await exchange(ctx, resolved.model);
      }
      failure = ctx.streamError;
    } catch (error) {
      failure = asGatewayError(error);
      if (failure.status >= 500 && failure.kind === 'internal') services.logger.error({ err: error, api }, 'proxy failure');
      sendClientError(res, ctx.client, failure);
    } finally {
      const record = recordRequest(ctx, failure);
      admission?.release({ usage: ctx.usage, costUsd: record.costUsd });
    }
  };
}
