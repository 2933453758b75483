import type { GraphqlDeps } from './graphql/deps.js';
import type { RequestRecordFanOut } from './observability/record-fan-out.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { RequestLogWriter } from './observability/log-writer.js';
import type { ResponseStore } from './response-store/index.js';
import type { ScaleOut } from './scaleout/index.js';

/**
 * Long-lived parts of one gateway instance, built once in app.ts: all the admin
 * API needs (`GraphqlDeps`, which lists most parts) and what only the wiring uses.
 */
export interface Services extends GraphqlDeps {
  recorder: RequestRecordFanOut;
  /** Prometheus metrics on this instance's own registry. */
  metrics: GatewayMetrics;
  /** Batched, off-the-request-path writer of request log rows. */
  requestLogs: RequestLogWriter;
  /** Present when REDIS_URL is set: what instances share besides limits (events, config, circuits, locks). */
  scaleOut?: ScaleOut;
  /** Responses answers kept for `previous_response_id` (memory, or Redis with REDIS_URL). */
  responseStore: ResponseStore;
}
