import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ClientApi } from '../../core/wire.js';
import { CLIENT_FORMATS } from '../formats/registry.js';
import type { PipelineDeps, ProxyContext } from './context.js';
import type { RequestHooks } from './plugin.js';
import { LightAbort } from '../../http/light-abort.js';

/** A fresh context; the upstream call is aborted if the client disconnects early. */
export function newProxyContext(
  api: ClientApi,
  endpoint: ProxyContext['endpoint'],
  deps: PipelineDeps,
  req: IncomingMessage,
  res: ServerResponse,
): ProxyContext {
  const ctx: ProxyContext = {
    api,
    endpoint,
    client: CLIENT_FORMATS[api],
    deps,
    req,
    res,
    startedAt: performance.now(),
    abort: new LightAbort(),
    hooks: [],
    attempts: 0,
  };
  res.once('close', () => {
    if (!res.writableFinished) ctx.abort.abort();
  });
  return ctx;
}

/** Asks every plugin for its part in this request (once the caller is known). */
export function startPluginHooks(ctx: ProxyContext): void {
  const hooks: RequestHooks[] = [];
  for (const plugin of ctx.deps.plugins) {
    const h = plugin.request(ctx);
    if (h) hooks.push(h);
  }
  ctx.hooks = hooks;
}
