import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import type { EventBus } from '../events/pubsub.js';
import type { Router } from '../http/router.js';
import { deleteInBatches, RetentionPruner } from '../maintenance/retention.js';
import type { ConfigSnapshot } from '../snapshot/types.js';
import { toLogRow } from './log-row.js';
import type { LogWriterOptions, RequestLogWriter } from './log-writer.js';
import type { GatewayMetrics } from './metrics.js';
import { metricsHandler } from './metrics-route.js';
import type { RequestRecordFanOut } from './record-fan-out.js';

export { GatewayMetrics } from './metrics.js';
export { RequestLogWriter } from './log-writer.js';

/** Writer settings from the environment (REQUEST_LOG_* in .env.example). */
export function logWriterOptions(config: Config): LogWriterOptions {
  return {
    batchSize: config.requestLogBatchSize,
    flushIntervalMs: config.requestLogFlushMs,
    maxBuffered: config.requestLogBufferMax,
  };
}

export interface Observability {
  pruner: RetentionPruner;
  /** Stops timers and writes every buffered log row (run on graceful shutdown, after in-flight requests ended). */
  close(): Promise<void>;
}

/** What observability needs from its instance (the composition root passes it). */
export interface ObservabilityDeps {
  config: Pick<Config, 'requestLogRetentionDays' | 'metricsToken' | 'env'>;
  logger: Logger;
  recorder: Pick<RequestRecordFanOut, 'subscribe'>;
  requestLogs: RequestLogWriter;
  metrics: GatewayMetrics;
  events: Pick<EventBus, 'publish' | 'subscribe'>;
  /** Names circuit-state samples by the target model. */
  snapshot: { readonly current: ConfigSnapshot };
}

/**
 * Request logs, metrics and their routes. Each finished request (from the
 * recorder) becomes a log row queued for the batch writer, a `requestLogged`
 * event and metric samples: all in memory, nothing awaited on the request path.
 */
export function startObservability(deps: ObservabilityDeps, router: Router): Observability {
  const { recorder, requestLogs, metrics, events, config, logger, snapshot } = deps;
  requestLogs.start();

  const unsubscribe = recorder.subscribe((record) => {
    const row = toLogRow(record);
    requestLogs.add(row);
    events.publish('requestLogged', row);
    metrics.observe(record);
  });

  // Circuit state per target model, from the router's state changes.
  const CIRCUIT_LEVEL = { closed: 0, half_open: 1, open: 2 } as const;
  const circuitChanges = events.subscribe('targetStateChanged');
  void (async () => {
    for await (const change of circuitChanges) {
      const model = [...snapshot.current.modelsByName.values()].find((m) => m.id === change.modelId);
      metrics.circuitState.set({ target: model?.name ?? change.modelId, provider: model?.provider.name ?? '' }, CIRCUIT_LEVEL[change.state]);
    }
  })();

  const pruner = new RetentionPruner(
    // Bounded batches in the log store (SQLite: its worker thread), never one long delete.
    (cutoff) => deleteInBatches((limit) => requestLogs.store.deleteBefore(cutoff, limit)),
    logger,
    'request log rows',
    config.requestLogRetentionDays,
  );
  pruner.start();

  let dropped = 0;
  let rejected = 0;
  let flushes = 0;
  let failed = 0;
  const syncWriterMetrics = () => {
    const s = requestLogs.stats;
    metrics.logBufferDepth.set(requestLogs.depth);
    if (s.dropped > dropped) metrics.logRowsDropped.inc(s.dropped - dropped);
    if (s.rejected > rejected) metrics.logRowsRejected.inc(s.rejected - rejected);
    if (s.flushes > flushes) metrics.logFlushes.inc({ outcome: 'ok' }, s.flushes - flushes);
    if (s.failedFlushes > failed) metrics.logFlushes.inc({ outcome: 'failed' }, s.failedFlushes - failed);
    dropped = s.dropped;
    rejected = s.rejected;
    flushes = s.flushes;
    failed = s.failedFlushes;
  };
  router.add('GET', '/metrics', metricsHandler(metrics, config.metricsToken, syncWriterMetrics, config.env === 'production'));

  return {
    pruner,
    close: async () => {
      unsubscribe();
      await circuitChanges.return?.();
      await pruner.stop();
      await requestLogs.close();
      metrics.stop();
    },
  };
}
