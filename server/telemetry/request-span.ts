import { performance } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayError } from '../core/error.js';
import type { CanonicalResponse } from '../core/response.js';
import type { StreamEvent } from '../core/stream-event.js';
import { presentedKey } from '../keys/authenticate.js';
import { captureBody } from '../secrets/body-capture.js';
import type { AnswerHooks, CompletedRequest, GenerationContext, ProxyContext, ProxyPlugin, RequestHooks, UpstreamRequest } from '../proxy/pipeline/plugin.js';
import { requestOutcome } from '../proxy/pipeline/outcome.js';
import { ATTR, operationName, providerName } from './gen-ai.js';

const propagator = new W3CTraceContextPropagator();

const headerGetter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
};
const headerSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };

/** performance.now() → epoch milliseconds, so a span starts when the request arrived. */
const epochMs = (monotonic: number) => performance.timeOrigin + monotonic;

/**
 * Tracing as a proxy plugin: one SERVER span per request, continued from the
 * client's W3C `traceparent`, and one CLIENT span per attempt whose context is
 * sent upstream as `traceparent`. Only loaded when OTLP export is configured.
 */
export function useTracing(tracer: Tracer): ProxyPlugin {
  return { name: 'tracing', request: (ctx) => new RequestTrace(tracer, ctx).hooks() };
}

class RequestTrace {
  private readonly span: Span;
  private readonly parent: Context;
  private attempt?: AttemptSpan;
  private resolved = false;

  constructor(
    private readonly tracer: Tracer,
    ctx: ProxyContext,
  ) {
    const remote = propagator.extract(ROOT_CONTEXT, ctx.req.headers, headerGetter);
    this.span = tracer.startSpan(
      operationName(ctx.endpoint),
      {
        kind: SpanKind.SERVER,
        startTime: epochMs(ctx.startedAt),
        attributes: { [ATTR.operation]: operationName(ctx.endpoint), [ATTR.endpoint]: ctx.endpoint, [ATTR.keyName]: ctx.key?.name ?? '' },
      },
      remote,
    );
    this.parent = trace.setSpan(remote, this.span);
  }

  hooks(): RequestHooks {
    return {
      onResolved: (ctx, resolved) => {
        this.resolved = true;
        const { request } = ctx;
        this.span.updateName(`${operationName(ctx.endpoint)} ${request.model}`);
        const attributes: Attributes = { [ATTR.requestModel]: request.model, [ATTR.stream]: request.stream };
        if (request.maxTokens !== undefined) attributes[ATTR.requestMaxTokens] = request.maxTokens;
        if (request.temperature !== undefined) attributes[ATTR.requestTemperature] = request.temperature;
        if (request.topP !== undefined) attributes[ATTR.requestTopP] = request.topP;
        if (resolved.kind === 'route') attributes[ATTR.virtualModel] = resolved.route.name;
        this.span.setAttributes(attributes);
        if (ctx.key.logBodies) {
          // The completion as a span event needs the whole answer, streams included.
          ctx.keepResponse = true;
          this.span.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': captureBody(ctx.rawBody, secretsOf(ctx)) });
        }
      },
      onPrepareUpstream: (up, ctx) => {
        this.attempt?.end();
        this.attempt = new AttemptSpan(this.tracer, this.parent, up, ctx);
        propagator.inject(trace.setSpan(ROOT_CONTEXT, this.attempt.span), up.headers, headerSetter);
        return this.attempt.hooks();
      },
      onComplete: (ctx, outcome) => this.end(ctx, outcome),
    };
  }

  private end(ctx: ProxyContext, { failure, response }: CompletedRequest): void {
    const { status, errorClass } = requestOutcome(ctx, failure);
    const attributes: Attributes = { [ATTR.attempts]: ctx.attempts, [ATTR.httpStatus]: status, [ATTR.status]: status < 400 ? 'ok' : 'error' };
    // Refused before onResolved (an unknown or forbidden model): still say what was asked for.
    if (!this.resolved && ctx.request) attributes[ATTR.requestModel] = ctx.request.model;
    if (ctx.model) {
      attributes[ATTR.target] = ctx.model.name;
      attributes[ATTR.targetProvider] = ctx.model.provider.name;
      attributes[ATTR.providerName] = attributes[ATTR.system] = providerName(ctx.model.provider.type);
    }
    const answer = response ?? ctx.response;
    if (answer) Object.assign(attributes, responseAttributes(answer));
    else if (this.attempt?.finishReason) attributes[ATTR.finishReasons] = [this.attempt.finishReason];
    if (ctx.usage) Object.assign(attributes, { [ATTR.inputTokens]: ctx.usage.inputTokens, [ATTR.outputTokens]: ctx.usage.outputTokens });
    if (this.attempt?.responseModel && !attributes[ATTR.responseModel]) attributes[ATTR.responseModel] = this.attempt.responseModel;
    if (errorClass) attributes[ATTR.errorType] = errorClass;
    if (ctx.cache) {
      attributes[ATTR.cacheStatus] = ctx.cache.status;
      if (ctx.cache.similarity !== undefined) attributes[ATTR.cacheSimilarity] = ctx.cache.similarity;
    }
    if (ctx.guardrails?.length) {
      // Which guardrails fired and how many values each found; never the values.
      attributes[ATTR.guardrails] = ctx.guardrails.map((g) => `${g.name}:${g.mode}:${g.stage}`);
      attributes[ATTR.guardrailFindings] = ctx.guardrails.reduce((n, g) => n + g.count, 0);
    }
    this.span.setAttributes(attributes);
    if (ctx.key?.logBodies && status < 400 && (ctx.responseBody !== undefined || answer)) {
      const text = ctx.responseBody ?? JSON.stringify({ content: answer?.content, finish_reason: answer?.finishReason });
      this.span.addEvent('gen_ai.content.completion', { 'gen_ai.completion': captureBody(text, secretsOf(ctx)) });
    }
    this.attempt?.end(failure ?? ctx.streamError);
    if (status >= 400) this.span.setStatus({ code: SpanStatusCode.ERROR, message: failure?.message ?? errorClass });
    this.span.end();
  }
}

/** One upstream call: from its preparation until it answered or failed. */
class AttemptSpan {
  readonly span: Span;
  finishReason?: string;
  responseModel?: string;
  private ended = false;

  constructor(tracer: Tracer, parent: Context, up: UpstreamRequest, ctx: GenerationContext) {
    const model = up.model;
    const attributes: Attributes = {
      [ATTR.operation]: operationName(ctx.endpoint),
      [ATTR.providerName]: providerName(model.provider.type),
      [ATTR.system]: providerName(model.provider.type),
      [ATTR.requestModel]: model.upstreamModel,
      [ATTR.target]: model.name,
      [ATTR.targetProvider]: model.provider.name,
      [ATTR.attempt]: ctx.attempts,
      [ATTR.passthrough]: up.passthrough,
      'gateway.upstream.wire': up.wire,
    };
    try {
      const url = new URL(model.provider.baseUrl);
      attributes[ATTR.serverAddress] = url.hostname;
      if (url.port) attributes[ATTR.serverPort] = Number(url.port);
    } catch {
      // a base URL that does not parse has no address to report
    }
    this.span = tracer.startSpan(`${operationName(ctx.endpoint)} ${model.upstreamModel}`, { kind: SpanKind.CLIENT, attributes }, parent);
  }

  hooks(): AnswerHooks {
    return {
      onEvent: (event: StreamEvent) => {
        if (event.type === 'start') this.responseModel = event.model;
        else if (event.type === 'finish') {
          this.finishReason = event.finishReason;
          this.span.setAttributes({ [ATTR.inputTokens]: event.usage.inputTokens, [ATTR.outputTokens]: event.usage.outputTokens });
        }
      },
      onResponse: (response: CanonicalResponse) => {
        this.responseModel = response.model;
        this.finishReason = response.finishReason;
        this.span.setAttributes(responseAttributes(response));
      },
      onAttemptEnd: (failure?: GatewayError) => {
        // A success stays open until the request ends: a stream's last events come later.
        if (failure) this.end(failure);
      },
    };
  }

  end(failure?: GatewayError): void {
    if (this.ended) return;
    this.ended = true;
    const attributes: Attributes = {};
    if (this.responseModel) attributes[ATTR.responseModel] = this.responseModel;
    if (this.finishReason) attributes[ATTR.finishReasons] = [this.finishReason];
    if (failure) {
      attributes[ATTR.errorType] = failure.code ?? failure.kind;
      attributes[ATTR.httpStatus] = failure.status;
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    }
    this.span.setAttributes(attributes);
    this.span.end();
  }
}

function responseAttributes(response: CanonicalResponse): Attributes {
  return {
    [ATTR.responseModel]: response.model,
    [ATTR.responseId]: response.id,
    [ATTR.finishReasons]: [response.finishReason],
    [ATTR.inputTokens]: response.usage.inputTokens,
    [ATTR.outputTokens]: response.usage.outputTokens,
  };
}

/** What must never reach a span: the key this request presented, the upstream's key (plus every configured secret, process-wide). */
function secretsOf(ctx: ProxyContext): Array<string | undefined> {
  return [presentedKey(ctx.req.headers), ctx.model?.provider.apiKey];
}
