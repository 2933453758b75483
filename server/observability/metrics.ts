import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './request-record.js';

/** Error classes that are the gateway's own limits rejecting a request (not an upstream 429). */
const LIMIT_CLASSES = new Set(['rate_limit', 'budget_exceeded']);

/**
 * Prometheus metrics of one gateway instance, on their own registry (never the
 * global one, so two instances in one process, as in tests, do not collide).
 *
 * Label values are bounded: `model` is the public model name only when it
 * resolved to a configured model (else `unresolved`), so clients cannot create
 * series by sending made-up model names.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Proxied requests by public model, provider, HTTP status and client API.',
    labelNames: ['model', 'provider', 'status', 'api'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'gateway_request_duration_seconds',
    help: 'Time from arrival to the end of the response, by public model, provider and HTTP status.',
    labelNames: ['model', 'provider', 'status'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly timeToFirstToken = new Histogram({
    name: 'gateway_time_to_first_token_seconds',
    help: 'Time from arrival to the first upstream byte of the answer (whole body for non-stream requests).',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens as reported by upstreams; cached is a subset of input, reasoning a subset of output.',
    labelNames: ['model', 'type'] as const,
    registers: [this.registry],
  });

  readonly cost = new Counter({
    name: 'gateway_cost_usd_total',
    help: 'Cost in USD from the model prices.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Failed requests that reached an upstream, by provider and error class.',
    labelNames: ['provider', 'class'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: "Requests rejected by the gateway's own key limits (rate_limit or budget_exceeded).",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /**
   * Circuit state per routing target: 0 closed, 1 half-open, 2 open. Set from
   * the router's `targetStateChanged` events (see index.ts).
   */
  readonly circuitState = new Gauge({
    name: 'gateway_circuit_state',
    help: 'Circuit breaker state per target model: 0 closed, 1 half-open, 2 open.',
    labelNames: ['target', 'provider'] as const,
    registers: [this.registry],
  });

  readonly logBufferDepth = new Gauge({
    name: 'gateway_log_buffer_depth',
    help: 'Request log rows held in memory, waiting for a database write.',
    registers: [this.registry],
  });

  readonly logRowsDropped = new Counter({
    name: 'gateway_log_rows_dropped_total',
    help: 'Request log rows dropped because the buffer was full (database unavailable for long).',
    registers: [this.registry],
  });

  readonly logFlushes = new Counter({
    name: 'gateway_log_flushes_total',
    help: 'Batched request log writes, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one finished request. O(labels); called from the recorder. */
  observe(r: RequestRecord): void {
    const model = r.modelId ? (r.requestedModel ?? 'unknown') : 'unresolved';
    const provider = r.providerName ?? '';
    const status = String(r.status);
    this.requests.inc({ model, provider, status, api: r.clientApi });
    this.duration.observe({ model, provider, status }, r.latencyMs / 1000);
    if (r.ttftMs !== undefined) this.timeToFirstToken.observe({ model, provider }, r.ttftMs / 1000);
    const u = r.usage;
    if (u) {
      if (u.inputTokens) this.tokens.inc({ model, type: 'input' }, u.inputTokens);
      if (u.outputTokens) this.tokens.inc({ model, type: 'output' }, u.outputTokens);
      if (u.cachedInputTokens) this.tokens.inc({ model, type: 'cached' }, u.cachedInputTokens);
      if (u.reasoningTokens) this.tokens.inc({ model, type: 'reasoning' }, u.reasoningTokens);
    }
    if (r.costUsd > 0) this.cost.inc({ model }, r.costUsd);
    if (r.errorClass) {
      if (r.attempts > 0 && r.providerName) this.upstreamErrors.inc({ provider, class: r.errorClass });
      else if (LIMIT_CLASSES.has(r.errorClass) && r.attempts === 0) this.rateLimited.inc({ reason: r.errorClass });
    }
  }
}
