import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Services } from '../../services.js';
import type { ClientApi } from '../../core/wire.js';
import { CLIENT_FORMATS } from '../formats/registry.js';
import type { ProxyContext } from './context.js';

/** A fresh context; the upstream call is aborted if the client disconnects early. */
export function newProxyContext(
  api: ClientApi,
  endpoint: ProxyContext['endpoint'],
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
): ProxyContext {
  const ctx: ProxyContext = {
    api,
    endpoint,
    client: CLIENT_FORMATS[api],
    services,
    req,
    res,
    startedAt: performance.now(),
    abort: new AbortController(),
    attempts: 0,
  };
  res.once('close', () => {
    if (!res.writableFinished) ctx.abort.abort();
  });
  return ctx;
}
