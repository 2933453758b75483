import { performance } from 'node:perf_hooks';
import { clientIp } from '../../http/client-ip.js';
import { captureBody } from '../../observability/body-capture.js';
import type { RequestRecord } from '../../observability/request-record.js';
import type { GatewayError } from '../canonical/error.js';
import type { ProxyContext } from './context.js';
import { requestCost } from './cost.js';

/** Hands the finished request to the recorder (logs, metrics, limits). */
export function recordRequest(ctx: ProxyContext, failure: GatewayError | undefined): RequestRecord {
  const { model, key, request } = ctx;
  const record: RequestRecord = {
    at: new Date(),
    clientApi: ctx.endpoint,
    keyId: key?.id,
    keyName: key?.name,
    keyPrefix: key?.prefix,
    requestedModel: request?.model ?? (typeof ctx.body?.model === 'string' ? ctx.body.model : undefined),
    modelId: model?.id,
    targetModel: model?.upstreamModel,
    providerId: model?.provider.id,
    providerName: model?.provider.name,
    attempts: ctx.attempts,
    stream: request?.stream ?? false,
    status: failure ? failure.status : ctx.abort.signal.aborted ? 499 : 200,
    errorClass: failure?.kind,
    errorMessage: failure?.message,
    latencyMs: Math.round(performance.now() - ctx.startedAt),
    ttftMs: ctx.ttftMs === undefined ? undefined : Math.round(ctx.ttftMs),
    usage: ctx.usage,
    costUsd: model ? requestCost(model, ctx.usage) : 0,
    clientIp: clientIp(ctx.req, ctx.services.config.trustProxy),
    userAgent: ctx.req.headers['user-agent'],
    rulesApplied: ctx.rulesApplied?.length ? ctx.rulesApplied : undefined,
    injectedTokens: ctx.injectedTokens || undefined,
  };
  if (key?.logBodies) {
    // Only for keys with body logging on: scrubbed and capped (observability/body-capture.ts).
    const secrets = [model?.provider.apiKey];
    if (ctx.rawBody) record.requestBody = captureBody(ctx.rawBody, secrets);
    if (ctx.responseBody !== undefined) record.responseBody = captureBody(ctx.responseBody, secrets);
  }
  ctx.services.recorder.record(record);
  return record;
}
