import { performance } from 'node:perf_hooks';
import { clientIp } from '../../http/client-ip.js';
import { presentedKey } from '../../keys/authenticate.js';
import { scrubOptional } from '../../secrets/redactor.js';
import { captureBody } from '../../secrets/body-capture.js';
import type { RequestRecord } from '../../core/request-record.js';
import type { GatewayError } from '../../core/error.js';
import type { ProxyContext } from './context.js';
import { requestCost } from './cost.js';
import { requestOutcome } from './outcome.js';
import { safeSentRequest } from './attempt-log.js';

/** Hands the finished request to the recorder (logs, metrics, limits). */
export function recordRequest(ctx: ProxyContext, failure: GatewayError | undefined): RequestRecord {
  const { model, key, request } = ctx;
  // What reaches storage is scrubbed here, once: every configured secret (process-wide
  // scrubber), plus the key this request presented, which only the request knows.
  const secrets = [presentedKey(ctx.req.headers), model?.provider.apiKey];
  const outcome = requestOutcome(ctx, failure);
  const record: RequestRecord = {
    at: new Date(),
    clientApi: ctx.endpoint,
    keyId: key?.id,
    keyName: key?.name,
    keyPrefix: key?.prefix,
    teamId: key?.team?.id,
    endUser: ctx.endUser,
    tags: ctx.tags,
    requestedModel: scrubOptional(request?.model ?? (typeof ctx.body?.model === 'string' ? ctx.body.model : undefined), secrets),
    modelId: model?.id,
    targetModel: model?.upstreamModel,
    providerId: model?.provider.id,
    providerName: model?.provider.name,
    attempts: ctx.attempts,
    stream: request?.stream ?? false,
    status: outcome.status,
    errorClass: outcome.errorClass,
    errorMessage: scrubOptional(outcome.errorMessage, secrets),
    latencyMs: Math.round(performance.now() - ctx.startedAt),
    ttftMs: ctx.ttftMs === undefined ? undefined : Math.round(ctx.ttftMs),
    usage: ctx.usage,
    // A cache hit costs nothing upstream; what it would have cost is reported as saved.
    costUsd: model && ctx.cache?.status !== 'hit' ? requestCost(model, ctx.usage) + (ctx.unitCostUsd ?? 0) : 0,
    clientIp: clientIp(ctx.req, ctx.deps.config.trustProxy),
    userAgent: scrubOptional(ctx.req.headers['user-agent'], secrets),
    rulesApplied: ctx.rulesApplied?.length ? ctx.rulesApplied : undefined,
    injectedTokens: ctx.injectedTokens || undefined,
    warnings: ctx.warnings?.length ? ctx.warnings.join('; ') : undefined,
    guardrails: ctx.guardrails?.length ? ctx.guardrails : undefined,
    cache: ctx.cache?.status,
    cacheKey: ctx.cache?.key,
    costSavedUsd: ctx.cache?.savedUsd,
    cacheStoredBytes: ctx.cache?.storedBytes,
    attemptLog: ctx.attemptLog,
  };
  // A guardrail masked or redacted values: the bodies hold them (the client's request, the restored answer), so they are not kept.
  const guarded = ctx.guardrails?.some((g) => g.mode === 'mask' || g.mode === 'redact');
  if (ctx.upstreamSent) record.upstreamRequest = safeSentRequest(ctx.upstreamSent, secrets, Boolean(key?.logBodies && !guarded));
  if (key?.logBodies && !guarded) {
    // Only for keys with body logging on: scrubbed and capped (secrets/body-capture.ts).
    if (ctx.rawBody) record.requestBody = captureBody(ctx.rawBody, secrets);
    if (ctx.responseBody !== undefined) record.responseBody = captureBody(ctx.responseBody, secrets);
  }
  ctx.deps.recorder.record(record);
  return record;
}
