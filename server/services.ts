import type { Logger } from 'pino';
import type { LoginLimiter } from './auth/login-limiter.js';
import type { TokenIssuer } from './auth/jwt.js';
import type { CatalogService } from './catalog/index.js';
import type { Config } from './config/env.js';
import type { ConfigService } from './config-service/index.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db, DbTarget } from './db/client.js';
import type { EventBus } from './events/pubsub.js';
import type { HealthMonitor } from './health/monitor.js';
import type { KeyLimiter } from './limits/types.js';
import type { RequestRecordFanOut } from './observability/record-fan-out.js';
import type { GatewayMetrics } from './observability/metrics.js';
import type { RequestLogWriter } from './observability/log-writer.js';
import type { SqlReader } from './observability/usage-sql.js';
import type { ResponseStore } from './response-store/index.js';
import type { Caches } from './cache/index.js';
import type { AuditLog } from './audit/index.js';
import type { ScaleOut } from './scaleout/index.js';
import type { Router } from './routing/router-state.js';
import type { SettingsStore } from './settings/store.js';
import type { SnapshotStore } from './snapshot/store.js';

/** Long-lived parts of one gateway instance, built once in app.ts. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Db;
  dbTarget: DbTarget;
  secretBox: SecretBox;
  tokens: TokenIssuer;
  loginLimiter: LoginLimiter;
  snapshot: SnapshotStore;
  settings: SettingsStore;
  events: EventBus;
  recorder: RequestRecordFanOut;
  /** Prometheus metrics on this instance's own registry. */
  metrics: GatewayMetrics;
  /** Batched, off-the-request-path writer of request log rows. */
  requestLogs: RequestLogWriter;
  /** Usage aggregates off the event loop where the database needs it (SQLite: a read-only worker); else Prisma is used. */
  usageReads?: SqlReader;
  limits: KeyLimiter;
  router: Router;
  /** LiteLLM catalog: last good copy, search index, scheduled refresh. */
  catalog: CatalogService;
  /** Present when REDIS_URL is set: what instances share besides limits (events, config, circuits, locks). */
  scaleOut?: ScaleOut;
  /** Health checks: the monitoring switch, scheduler, runs and aggregates. */
  health: HealthMonitor;
  /** Responses answers kept for `previous_response_id` (memory, or Redis with REDIS_URL). */
  responseStore: ResponseStore;
  /** Response caches (exact and semantic; memory, or Redis with REDIS_URL): purged from the admin API. */
  caches: Caches;
  /** Every configuration write, each followed by the one after-change step (snapshot, settings, health targets, audit listeners). */
  configService: ConfigService;
  /** Who changed what: every admin mutation once, configuration changes through the config service's onChange. */
  audit: AuditLog;
}
