import type { GatewayError } from '../../core/error.js';
import type { ProxyContext } from './context.js';

export interface RequestOutcome {
  status: number;
  errorClass?: string;
  errorMessage?: string;
}

/**
 * How a request ended, as its one log row says it. In order:
 * - the client was handed the whole answer (`completed`): a success, whatever
 *   the connections did afterwards (a reset after `[DONE]`, an upstream
 *   failing while its rest is drained);
 * - the client went away first: 499 with what was delivered until then, not
 *   the upstream error the abort itself caused ("could not reach the provider");
 * - otherwise the failure, or success.
 */
export function requestOutcome(ctx: ProxyContext, failure: GatewayError | undefined): RequestOutcome {
  if (ctx.completed && !failure) return { status: 200 };
  if (ctx.abort.aborted && !ctx.completed) {
    const delivered = ctx.res.headersSent ? 'after part of the answer was sent' : 'before the answer was sent';
    return { status: 499, errorClass: 'client_closed', errorMessage: `The client closed the connection ${delivered}` };
  }
  if (failure) return { status: failure.status, errorClass: failure.kind, errorMessage: failure.message };
  return { status: 200 };
}
