import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardUnreadBody } from '../../http/body.js';
import type { Services } from '../../services.js';
import type { GatewayError } from '../../core/error.js';
import type { ClientApi } from '../../core/wire.js';
import type { ProxyContext } from '../pipeline/context.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';
import { newProxyContext } from '../pipeline/new-context.js';
import { recordRequest } from '../pipeline/record.js';

/**
 * The shell every /v1 endpoint shares: a context, errors in the caller's format,
 * and exactly one record (and limit release) when the request ends; what the
 * record says (success, 499, the failure) is decided in pipeline/outcome.ts.
 */
export function proxyEndpoint(
  api: ClientApi,
  endpoint: ProxyContext['endpoint'],
  services: Services,
  run: (ctx: ProxyContext) => Promise<void>,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = newProxyContext(api, endpoint, services, req, res);
    let failure: GatewayError | undefined;
    try {
      await run(ctx);
      failure = ctx.streamError;
    } catch (error) {
      failure = asGatewayError(error);
      if (failure.kind === 'internal') services.logger.error({ err: error, endpoint }, 'proxy failure');
      // A client that left gets nothing more (and the record can tell what it had received).
      if (!ctx.abort.signal.aborted) sendClientError(res, ctx.client, failure);
      // Refused before its body was read (401, 404, …): drain it so the connection can go on.
      discardUnreadBody(req, services.config.maxBodyBytes);
    } finally {
      const record = recordRequest(ctx, failure);
      ctx.admission?.release({ usage: ctx.usage, costUsd: record.costUsd });
    }
  };
}
