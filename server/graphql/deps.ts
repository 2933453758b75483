import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { LoginLimiter } from '../auth/login-limiter.js';
import type { TokenIssuer } from '../auth/jwt.js';
import type { Caches } from '../cache/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { Config } from '../config/env.js';
import type { ConfigService } from '../config-service/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { DbTarget } from '../db/target.js';
import type { EventBus } from '../events/pubsub.js';
import type { HealthMonitor } from '../health/monitor.js';
import type { KeyLimiter } from '../limits/types.js';
import type { SqlReader } from '../observability/usage-sql.js';
import type { Router } from '../routing/router-state.js';
import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from '../snapshot/store.js';

/**
 * What the admin API (HTTP and WebSocket GraphQL) needs of the running instance.
 * The composition root's services satisfy it; the resolvers see nothing else.
 */
export interface GraphqlDeps {
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
  /** Usage aggregates off the event loop where the database needs it; else Prisma is used. */
  usageReads?: SqlReader;
  limits: KeyLimiter;
  router: Router;
  /** LiteLLM catalog: last good copy, search index, scheduled refresh. */
  catalog: CatalogService;
  /** Health checks: the monitoring switch, scheduler, runs and aggregates. */
  health: HealthMonitor;
  /** Response caches (exact and semantic; memory, or Redis with REDIS_URL): purged from the admin API. */
  caches: Caches;
  /** Every configuration write, each followed by the one after-change step (snapshot, settings, health targets, audit listeners). */
  configService: ConfigService;
  /** Who changed what: every admin mutation once, configuration changes through the config service's onChange. */
  audit: AuditLog;
}
