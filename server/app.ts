import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrapAdminLogLine } from './auth/bootstrap-message.js';
import { ensureAdminUser } from './auth/bootstrap-admin.js';
import { TokenIssuer } from './auth/jwt.js';
import { createLoginLimiter } from './auth/login-limiter.js';
import type { Config } from './config/env.js';
import { resolveInstanceSecrets } from './config/instance-secrets.js';
import { SecretBox } from './crypto/secret-box.js';
import { sealStoredHeaders } from './crypto/seal-stored-headers.js';
import { CatalogService } from './catalog/index.js';
import { CATALOG_UPLOAD_PATH, catalogUploadRoute } from './catalog/upload-route.js';
import { startDeclarativeConfig } from './config-as-code/declarative-start.js';
import { ConfigInputError, createConfigService } from './config-service/index.js';
import { openDatabase } from './db/client.js';
import { dbTarget } from './db/target.js';
import { applyPendingMigrations } from './db/migrate.js';
import { attachGraphQLWebSocket } from './graphql/websocket.js';
import { createGraphQLServer } from './graphql/yoga.js';
import { readGraphQLBody } from './http/graphql-body.js';
import { clientIp } from './http/client-ip.js';
import { sendJson } from './http/json.js';
import { Router } from './http/router.js';
import { createStaticHandler } from './http/static-files.js';
import { createEventBus } from './events/pubsub.js';
import { HealthMonitor } from './health/monitor.js';
import { registerPublicHealthRoutes } from './health/public-routes.js';
import { createKeyLimiter } from './limits/index.js';
import { createLogger, type Logger } from './logger.js';
import { GatewayMetrics, logWriterOptions, RequestLogWriter, startObservability } from './observability/index.js';
import { RequestRecordFanOut } from './observability/record-fan-out.js';
import { openBackgroundWrites } from './observability/open-log-store.js';
import { registerProxyRoutes } from './proxy/routes.js';
import { McpGateway, McpMetrics, mcpEndpoint } from './mcp/index.js';
import { closeUpstreamPools } from './proxy/upstream/http-client.js';
import { proxyPlugins } from './proxy-plugins.js';
import { startTracing } from './telemetry/index.js';
import { AlertService } from './alerts/index.js';
import { startLogExports } from './telemetry/log-export.js';
import { MemorySchedulerLock } from './health/lock.js';
import { AuditLog } from './audit/index.js';
import { registerSsoRoutes } from './sso/index.js';
import { deleteInBatches, RetentionPruner } from './maintenance/retention.js';
import type { ProxyPlugin } from './proxy/pipeline/plugin.js';
import { sendV1Refusal } from './proxy/refusals.js';
import { ScaleOut } from './scaleout/index.js';
import { createResponseStore } from './response-store/index.js';
import { createCaches } from './cache/index.js';
import type { Services } from './services.js';
import { createRouterState } from './routing/router-state.js';
import { SettingsStore } from './settings/store.js';
import { SnapshotStore } from './snapshot/store.js';
import { trackInstanceSecrets } from './snapshot/instance-secrets.js';
import type { DestinationStream } from 'pino';

export interface Gateway {
  server: Server;
  services: Services;
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Graceful: stop accepting, finish in-flight requests, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where JSON logs go (default stdout). */
  logDestination?: DestinationStream;
  /** A program embedding the gateway may add proxy plugins to the built-in ones, or reorder them. */
  plugins?: (builtIn: ProxyPlugin[]) => ProxyPlugin[];
}

// Upstream connection pools are per process; the last gateway to close closes them.
let openGateways = 0;

/** Builds and starts one gateway instance. */
export async function startGateway(config: Config, options: StartOptions = {}): Promise<Gateway> {
  const logger: Logger = createLogger(config.logLevel, options.logDestination);
  const target = dbTarget(config);
  const applied = await applyPendingMigrations(target);
  const db = await openDatabase(target);
  if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');

  const { jwtSecret, encryptionKey } = resolveInstanceSecrets(config);
  const secretBox = new SecretBox(encryptionKey);
  const sealedHeaders = await sealStoredHeaders(db, secretBox, target.kind);
  if (sealedHeaders) logger.info({ rows: sealedHeaders }, 'sealed provider and model header values stored in plain text');
  const snapshot = new SnapshotStore(db, secretBox, (error) => logger.error({ err: error }, 'snapshot'));
  // Every configured secret is known to the one scrubber (server/secrets) from here on.
  const instanceSecrets = trackInstanceSecrets({
    current: snapshot.current,
    onSnapshot: (listener) => snapshot.onChange(listener),
    fixed: [jwtSecret, encryptionKey, config.metricsToken],
  });
  if (config.env === 'production' && !config.metricsToken) logger.warn('METRICS_TOKEN is not set: /metrics answers 404 in production');
  const settings = new SettingsStore(db);
  // Request log and spend writes, off the event loop (SQLite: a worker thread).
  const backgroundWrites = openBackgroundWrites(db, target);
  const scaleOut = config.redisUrl ? new ScaleOut({ redisUrl: config.redisUrl, prefix: config.redisKeyPrefix, logger }) : undefined;
  const base = {
    config,
    logger,
    db,
    dbTarget: target,
    secretBox,
    tokens: new TokenIssuer(jwtSecret, config.jwtExpiresIn),
    loginLimiter: createLoginLimiter({ redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix, logger }),
    snapshot,
    settings,
    events: createEventBus(scaleOut?.eventTarget),
    scaleOut,
    recorder: new RequestRecordFanOut(),
    metrics: new GatewayMetrics(),
    requestLogs: new RequestLogWriter(backgroundWrites.logs, logger, logWriterOptions(config)),
    usageReads: backgroundWrites.reads,
  };
  const withRouter = { ...base, router: createRouterState(base.events) };
  const health = new HealthMonitor({
    ...base,
    runRetentionDays: config.healthRunRetentionDays,
    lockPeriodMs: config.healthLockPeriodMs,
    lock: scaleOut?.schedulerLock('health-scheduler'),
    onMonitoringKey: instanceSecrets.setMonitoringKey,
  });
  const catalog = new CatalogService(db, logger, {
    url: config.catalogUrl,
    timeoutMs: config.catalogFetchTimeoutMs,
    refreshIntervalMs: config.catalogRefreshHours * 3_600_000,
    ...(config.catalogBuiltin ? {} : { builtin: () => null }),
    source: () => settings.read().catalogSource,
  });
  const responseStore = createResponseStore({ ...config.responseStore, redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix, logger });
  const caches = createCaches({ ...config.cache, redisUrl: config.redisUrl, redisKeyPrefix: config.redisKeyPrefix, logger });
  const configService = createConfigService({
    db,
    secretBox,
    snapshot,
    settings,
    health,
    catalog,
    onListenerError: (err, change) => logger.error({ err, change }, 'configuration change listener failed'),
  });
  const audit = new AuditLog(db, logger);
  configService.onChange(audit.onConfigChange);
  const auditPruner = new RetentionPruner(
    (cutoff) => deleteInBatches((limit) => audit.pruneBefore(cutoff, limit)),
    logger,
    'audit log entries',
    config.auditRetentionDays,
  );
  auditPruner.start();
  const services: Services = {
    ...withRouter,
    audit,
    limits: createKeyLimiter(withRouter, { spendSink: backgroundWrites.spend }),
    health,
    catalog,
    responseStore,
    caches,
    configService,
  };
  snapshot.onChange((s) => services.events.publish('configChanged', { version: s.version, at: new Date() }));
  await Promise.all([snapshot.reload(), settings.load(), catalog.load()]);
  catalog.start();
  await scaleOut?.start({ snapshot, settings, router: services.router, metrics: services.metrics });
  // Alerts: every instance listens, the holder of the lock evaluates and sends.
  const alerts = new AlertService({
    db,
    secretBox,
    events: services.events,
    snapshot,
    limits: { state: (key) => services.limits.state(key) },
    logger,
    lock: scaleOut?.schedulerLock('alerts') ?? new MemorySchedulerLock(),
    intervalMs: config.alertsIntervalMs,
    probes: [
      { name: 'database', check: () => db.$queryRawUnsafe('SELECT 1') },
      ...(scaleOut ? [{ name: 'redis' as const, check: () => scaleOut.ping() }] : []),
    ],
  });
  await alerts.start();
  // LOG_EXPORT_*: every request log row also goes to each export sink, batched and retried on its own.
  const logExports = startLogExports(config, logger, logWriterOptions(config));
  for (const sink of logExports) services.requestLogs.mirrorTo(sink.writer);

  const admin = await ensureAdminUser(db, { email: config.adminEmail, password: config.adminPassword });
  if (admin.created) bootstrapAdminLogLine(logger, admin);
  // GATEWAY_CONFIG: the instance serves only once the file is applied.
  const stopConfigWatch = config.gatewayConfig ? await startDeclarativeConfig(services, config.gatewayConfig, config.gatewayConfigWatch) : () => {};

  const yoga = createGraphQLServer(services);
  const routes = new Router();
  // OTEL_EXPORTER_OTLP_*: the SDK is loaded only when traces are exported.
  const tracing = await startTracing(config.otel);
  // MCP gateway (server/mcp): registered servers re-read with every configuration change.
  const mcp = new McpGateway(
    { db, secretBox, logger, limits: () => services.limits, metrics: new McpMetrics(services.metrics.registry) },
    { maxResultBytes: config.mcp.maxResultBytes, toolListTtlMs: config.mcp.toolListTtlMs },
  );
  await mcp.reload();
  snapshot.onChange(() => void mcp.reload().catch((error) => logger.error({ err: error }, 'MCP servers could not be reloaded')));
  const mcpHandler = mcpEndpoint({ gateway: mcp, snapshot, logger });
  for (const method of ['POST', 'GET', 'DELETE']) routes.add(method, '/mcp', mcpHandler);
  const builtInPlugins = proxyPlugins({ config, responseStore, caches, tracing, mcp });
  registerProxyRoutes(routes, {
    config,
    logger,
    snapshot,
    router: services.router,
    recorder: services.recorder,
    // Read per request: the limiter may be replaced on a running instance (tests put one on a test clock).
    get limits() {
      return services.limits;
    },
    plugins: options.plugins ? options.plugins(builtInPlugins) : builtInPlugins,
  });
  registerPublicHealthRoutes(routes, health, { trustProxy: config.trustProxy, incidents: () => services.settings.read().statusIncidents });
  registerSsoRoutes(routes, { db, secretBox, tokens: services.tokens, audit, logger, settings, trustProxy: config.trustProxy });
  routes.add(
    'POST',
    CATALOG_UPLOAD_PATH,
    catalogUploadRoute({
      db,
      tokens: services.tokens,
      trustProxy: config.trustProxy,
      bodyTimeoutMs: config.requestBodyTimeoutMs,
      upload: async (actor, fileName, text) => void (await configService.catalogSource.update(actor, { kind: 'upload', fileName, text })),
      isRefusal: (error): error is Error => error instanceof ConfigInputError,
      status: () => catalog.status(),
    }),
  );
  const observability = startObservability(services, routes);
  const serveStatic = createStaticHandler(config.clientDir);

  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const route = routes.match(req.method ?? 'GET', pathname);
    if (route) return route(req, res, pathname);
    if (pathname === '/graphql') return serveGraphQL(req, res);
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') return readiness(res);
    if (pathname.startsWith('/v1/')) return sendV1Refusal(res, pathname, req.method ?? 'GET', routes.hasPath(pathname));
    if (routes.hasPath(pathname))
      return sendJson(res, 405, { error: { message: `Method ${req.method} not allowed on ${pathname}`, type: 'invalid_request_error' } });
    if (pathname.startsWith('/public/')) return sendJson(res, 404, { error: { message: 'Not found', status: 404 } });
    if (serveStatic(req, res)) return;
    sendJson(res, 404, { error: { message: 'Not found' } });
  };

  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse) => {
    let body: Buffer | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      body = await readGraphQLBody(req, res, config);
      if (!body) return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request = new Request(`http://localhost${req.url}`, { method: req.method, headers, body: body as Uint8Array<ArrayBuffer> | undefined });
    const response = await yoga.handleRequest(request, { clientIp: clientIp(req, config.trustProxy) });
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    if (!response.body) return void res.end();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  };

  const readiness = async (res: ServerResponse) => {
    if (shuttingDown) return sendJson(res, 503, { status: 'shutting_down' });
    try {
      await db.$queryRawUnsafe('SELECT 1');
      sendJson(res, 200, { status: 'ready', configVersion: snapshot.current.version });
    } catch {
      sendJson(res, 503, { status: 'database_unavailable' });
    }
  };

  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0 && drained) drained();
    });
    handle(req, res).catch((error) => {
      logger.error({ err: error, path: req.url }, 'unhandled request error');
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'Internal server error', type: 'server_error' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  const ws = attachGraphQLWebSocket(server, yoga, services);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
  // Health checks call this instance's own /v1 over loopback, so they need the bound URL.
  await health.attach(url);

  const close = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    stopConfigWatch();
    await alerts.close();
    await mcp.close();
    await auditPruner.stop();
    await health.close();
    await catalog.stop();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((r) => setTimeout(r, 15_000).unref())]);
    }
    server.closeAllConnections();
    await ws.close();
    await stopped;
    await observability.close();
    await Promise.all(logExports.map((sink) => sink.close()));
    await tracing?.shutdown();
    await services.limits.close();
    await responseStore.close();
    await caches.close();
    await backgroundWrites.close();
    await scaleOut?.close();
    await db.$disconnect();
    await base.loginLimiter.close();
    instanceSecrets.release();
    if (--openGateways === 0) await closeUpstreamPools();
  };
  openGateways++;

  return { server, services, url, port, close };
}
