import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnreadBody } from '../../http/body.js';
import type { GatewayError } from '../../core/error.js';
import type { ClientApi } from '../../core/wire.js';
import type { PipelineDeps, ProxyContext } from '../pipeline/context.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';
import { newProxyContext } from '../pipeline/new-context.js';
import { recordRequest } from '../pipeline/record.js';

/**
 * The shell every /v1 endpoint shares: a context, errors in the caller's format,
 * and exactly once when the request ends: the plugins' onComplete, the record
 * and the limit release; what the record says (success, 499, the failure) is
 * decided in pipeline/outcome.ts.
 */
export function proxyEndpoint(api: ClientApi, endpoint: ProxyContext['endpoint'], deps: PipelineDeps, run: (ctx: ProxyContext) => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = newProxyContext(api, endpoint, deps, req, res);
    let failure: GatewayError | undefined;
    try {
      await run(ctx);
      failure = ctx.streamError;
    } catch (error) {
      failure = asGatewayError(error);
      if (failure.kind === 'internal') deps.logger.error({ err: error, endpoint }, 'proxy failure');
      // A client that left gets nothing more (and the record can tell what it had received).
      if (!ctx.abort.aborted) sendClientError(res, ctx.client, failure);
      // Refused before its body was read (401, 404, …): drain it so the connection can go on.
      discardUnreadBody(req, deps.config.maxBodyBytes);
    } finally {
      completeHooks(ctx, failure);
      const record = recordRequest(ctx, failure);
      ctx.admission?.release({ usage: ctx.usage, costUsd: record.costUsd });
    }
  };
}

/** A plugin's failure at the end must not cost the request its record. */
function completeHooks(ctx: ProxyContext, failure: GatewayError | undefined): void {
  for (const hooks of ctx.hooks) {
    if (!hooks.onComplete) continue;
    try {
      hooks.onComplete(ctx, { failure, response: failure ? undefined : ctx.response });
    } catch (error) {
      ctx.deps.logger.error({ err: error }, 'plugin onComplete failed');
    }
  }
}
