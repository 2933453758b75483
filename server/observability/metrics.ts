import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from '../core/request-record.js';
import { TallyCounter, TallyHistogram, type CounterCell, type HistogramCell } from './tally-metrics.js';

/** How often the event-loop delay sampler wakes up (ms). */
const LOOP_SAMPLE_MS = 20;

/** Error classes that are the gateway's own limits rejecting a request (not an upstream 429). */
const LIMIT_CLASSES = new Set(['rate_limit', 'budget_exceeded']);

/** Label children of one (model, provider, status, api); the optional ones are made on first use, so no empty series appear. */
interface RequestSeries {
  model: string;
  provider: string;
  requests: CounterCell;
  duration: HistogramCell;
  ttft?: HistogramCell;
  input?: CounterCell;
  output?: CounterCell;
  cached?: CounterCell;
  reasoning?: CounterCell;
  cost?: CounterCell;
}

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

  /** A counter or gauge on this instance's registry. */
  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  // Observed once per request: tallies (tally-metrics.ts), not prom-client's own metrics.
  readonly requests = new TallyCounter(
    'gateway_requests_total',
    'Proxied requests by public model, provider, HTTP status and client API.',
    ['model', 'provider', 'status', 'api'] as const,
    this.registry,
  );

  readonly duration = new TallyHistogram(
    'gateway_request_duration_seconds',
    'Time from arrival to the end of the response, by public model, provider and HTTP status.',
    ['model', 'provider', 'status'] as const,
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    this.registry,
  );

  readonly timeToFirstToken = new TallyHistogram(
    'gateway_time_to_first_token_seconds',
    'Time from arrival to the first upstream byte of the answer (whole body for non-stream requests).',
    ['model', 'provider'] as const,
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    this.registry,
  );

  readonly tokens = new TallyCounter(
    'gateway_tokens_total',
    'Tokens as reported by upstreams; cached is a subset of input, reasoning a subset of output.',
    ['model', 'type'] as const,
    this.registry,
  );

  readonly cost = new TallyCounter('gateway_cost_usd_total', 'Cost in USD from the model prices.', ['model'] as const, this.registry);

  /** Response cache outcomes (server/cache); `model` is set only once the name resolved, so it stays bounded. */
  readonly cacheRequests = this.counter(
    'gateway_cache_requests_total',
    'Requests with the response cache on, by public model and outcome (hit, miss, bypass).',
    ['model', 'outcome'] as const,
  );

  readonly cacheStoredBytes = this.counter('gateway_cache_stored_bytes_total', 'Bytes of answers written to the response cache.');

  readonly cacheSaved = this.counter('gateway_cache_saved_usd_total', 'What response cache hits would have cost upstream, in USD.', ['model'] as const);

  /** Guardrails that fired (server/guardrails): requests and values found, per guardrail (names are admin-set, so bounded). */
  readonly guardrailRequests = this.counter(
    'gateway_guardrail_requests_total',
    'Requests in which a guardrail found something, by guardrail, mode and stage (request, response).',
    ['guardrail', 'mode', 'stage'] as const,
  );

  readonly guardrailValues = this.counter(
    'gateway_guardrail_values_total',
    'Values a guardrail found (masked, redacted, blocked or logged), by guardrail and stage.',
    ['guardrail', 'stage'] as const,
  );

  readonly upstreamErrors = this.counter('gateway_upstream_errors_total', 'Failed requests that reached an upstream, by provider and error class.', [
    'provider',
    'class',
  ] as const);

  readonly refusals = this.counter(
    'gateway_refusals_total',
    'Requests the gateway refused itself, before any upstream attempt (auth, key limits, budgets, bad requests), by error class.',
    ['reason'] as const,
  );

  readonly rateLimited = this.counter('gateway_rate_limited_total', "Requests rejected by the gateway's own key limits (rate_limit or budget_exceeded).", [
    'reason',
  ] as const);

  /**
   * Circuit state per routing target: 0 closed, 1 half-open, 2 open. Set from
   * the router's `targetStateChanged` events (see index.ts).
   */
  readonly circuitState = this.gauge('gateway_circuit_state', 'Circuit breaker state per target model: 0 closed, 1 half-open, 2 open.', [
    'target',
    'provider',
  ] as const);

  readonly logBufferDepth = this.gauge('gateway_log_buffer_depth', 'Request log rows held in memory, waiting for a database write.');

  /** Request log rows never written: `buffer_full` (database away for long) or `rejected` (a row the database refused). */
  readonly requestLogDropped = this.counter(
    'gateway_request_log_dropped_total',
    'Request log rows dropped: buffer_full (database unavailable for long) or rejected (refused by the database; the rest of its batch was written).',
    ['reason'] as const,
  );

  readonly logRowsDropped = this.requestLogDropped.labels('buffer_full');
  readonly logRowsRejected = this.requestLogDropped.labels('rejected');

  /**
   * How late a timer fires: any synchronous work (a stall) delays every
   * request by as much. Sampled every 20 ms; `..._max_seconds` is the largest
   * delay since the previous scrape (perf_hooks.monitorEventLoopDelay, 10 ms resolution).
   */
  readonly eventLoopDelay = new Histogram({
    name: 'gateway_event_loop_delay_seconds',
    help: 'Event-loop delay: how late a 20 ms timer fired.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly loopMonitor = monitorEventLoopDelay({ resolution: 10 });
  private loopSampler: NodeJS.Timeout | undefined;

  readonly eventLoopDelayMax = new Gauge({
    name: 'gateway_event_loop_delay_max_seconds',
    help: 'Largest event-loop delay since the previous scrape.',
    registers: [this.registry],
    collect: () => {
      this.eventLoopDelayMax.set(this.loopMonitor.max / 1e9);
      this.loopMonitor.reset();
    },
  });

  readonly logFlushes = this.counter('gateway_log_flushes_total', 'Batched request log writes, by outcome.', ['outcome'] as const);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Both reasons exported from the start (at 0), so an alert can watch them before the first drop.
    this.logRowsDropped.inc(0);
    this.logRowsRejected.inc(0);
    this.loopMonitor.enable();
    let expected = performance.now() + LOOP_SAMPLE_MS;
    this.loopSampler = setInterval(() => {
      const now = performance.now();
      this.eventLoopDelay.observe(Math.max(0, now - expected) / 1000);
      expected = now + LOOP_SAMPLE_MS;
    }, LOOP_SAMPLE_MS);
    this.loopSampler.unref();
  }

  /** Stops the event-loop sampling (the instance is closing). */
  stop(): void {
    clearInterval(this.loopSampler);
    this.loopMonitor.disable();
  }

  /**
   * Cells per (model, provider, status, api), looked up once per request.
   * Bounded: models are configured ones or `unresolved`, statuses are HTTP codes.
   */
  private readonly children = new Map<string, RequestSeries>();

  private series(model: string, provider: string, status: string, api: string): RequestSeries {
    const key = `${model}\u0000${provider}\u0000${status}\u0000${api}`;
    let found = this.children.get(key);
    if (!found) {
      found = { model, provider, requests: this.requests.labels(model, provider, status, api), duration: this.duration.labels(model, provider, status) };
      this.children.set(key, found);
    }
    return found;
  }

  /** Counts one finished request. O(1) after the first request of a series; called from the recorder. */
  observe(r: RequestRecord): void {
    const model = r.modelId ? (r.requestedModel ?? 'unknown') : 'unresolved';
    // A gateway refusal (auth, the key's limits, budget, a bad request: no upstream attempt) is no
    // provider's error, so it is counted under no provider; gateway_refusals_total says why.
    const refused = r.attempts === 0 && r.status >= 400 && r.status !== 499;
    const provider = refused ? '' : (r.providerName ?? '');
    const status = String(r.status);
    const series = this.series(model, provider, status, r.clientApi);
    series.requests.inc();
    series.duration.observe(r.latencyMs / 1000);
    if (r.ttftMs !== undefined) (series.ttft ??= this.timeToFirstToken.labels(model, provider)).observe(r.ttftMs / 1000);
    const u = r.usage;
    if (u) {
      if (u.inputTokens) (series.input ??= this.tokens.labels(model, 'input')).inc(u.inputTokens);
      if (u.outputTokens) (series.output ??= this.tokens.labels(model, 'output')).inc(u.outputTokens);
      if (u.cachedInputTokens) (series.cached ??= this.tokens.labels(model, 'cached')).inc(u.cachedInputTokens);
      if (u.reasoningTokens) (series.reasoning ??= this.tokens.labels(model, 'reasoning')).inc(u.reasoningTokens);
    }
    if (r.costUsd > 0) (series.cost ??= this.cost.labels(model)).inc(r.costUsd);
    if (r.cache) {
      const cached = r.requestedModel ?? 'unknown';
      this.cacheRequests.inc({ model: cached, outcome: r.cache });
      if (r.cacheStoredBytes) this.cacheStoredBytes.inc(r.cacheStoredBytes);
      if (r.costSavedUsd) this.cacheSaved.inc({ model: cached }, r.costSavedUsd);
    }
    for (const g of r.guardrails ?? []) {
      this.guardrailRequests.inc({ guardrail: g.name, mode: g.mode, stage: g.stage });
      this.guardrailValues.inc({ guardrail: g.name, stage: g.stage }, g.count);
    }
    if (refused) this.refusals.inc({ reason: r.errorClass ?? String(r.status) });
    if (r.errorClass) {
      if (r.attempts > 0 && r.providerName) this.upstreamErrors.inc({ provider, class: r.errorClass });
      else if (LIMIT_CLASSES.has(r.errorClass) && r.attempts === 0) this.rateLimited.inc({ reason: r.errorClass });
    }
  }
}
