import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the gateway reads from the environment, validated in one place.
 * `.env.example` documents each variable; keep the two in step.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DB_PATH: z.string().default('./data/gateway.db'),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().default('llmgw:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().optional(),
  JWT_EXPIRES_IN: z
    .string()
    .regex(/^\d+[smhd]$/, 'use a duration such as 12h, 30m or 7d')
    .default('12h'),
  ENCRYPTION_KEY: z.string().optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'ADMIN_PASSWORD must be at least 8 characters').optional(),
  LITELLM_CATALOG_URL: z.string().url().default('https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json'),
  CATALOG_REFRESH_HOURS: z.coerce.number().min(0).default(24),
  CATALOG_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** false: no built-in catalog copy; the catalog stays empty until the first fetch. */
  CATALOG_BUILTIN: z
    .enum(['true', 'false', '1', '0', ''])
    .default('true')
    .transform((v) => v !== 'false' && v !== '0'),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  MAX_JSON_DEPTH: z.coerce.number().int().min(2).default(64),
  MAX_JSON_ELEMENTS: z.coerce.number().int().positive().default(1_000_000),
  REQUEST_BODY_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  MAX_UPSTREAM_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(32 * 1024 * 1024),
  UPSTREAM_STREAM_TOTAL_MS: z.coerce.number().int().min(0).default(1_800_000),
  TOKENIZER_MAX_CHARS: z.coerce.number().int().min(0).default(50_000),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  METRICS_TOKEN: z.string().optional(),
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  HEALTH_RUN_RETENTION_DAYS: z.coerce.number().int().min(0).default(7),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).default(365),
  HEALTH_LOCK_PERIOD_MS: z.coerce.number().int().min(1000).default(45_000),
  /** MCP gateway (server/mcp): largest tool result, rounds of the gateway-run tool loop, tool-list reuse. */
  MCP_MAX_RESULT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  MCP_TOOL_LOOP_MAX_ROUNDS: z.coerce.number().int().min(1).max(50).default(8),
  MCP_TOOL_LIST_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  RESPONSE_STORE_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  RESPONSE_STORE_MAX_ENTRIES: z.coerce.number().int().positive().default(5000),
  RESPONSE_STORE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Response cache (server/cache, docs/CACHING.md): memory cap, largest entry, default TTL, semantic index size, replay pace. */
  CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  CACHE_MAX_ENTRY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  CACHE_DEFAULT_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  CACHE_SEMANTIC_MAX_ENTRIES: z.coerce.number().int().positive().default(1000),
  CACHE_STREAM_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  REQUEST_LOG_FLUSH_MS: z.coerce.number().int().positive().default(500),
  REQUEST_LOG_BATCH_SIZE: z.coerce.number().int().positive().default(200),
  REQUEST_LOG_BUFFER_MAX: z.coerce.number().int().positive().default(10_000),
  /**
   * How far V8 lets the heap grow past what survived the last full collection, in percent; 0 leaves
   * V8's own adaptive factor (up to 300% on a fast machine: the peak RSS under load then varies by
   * 100 MB from run to run). 50 kept the peak about 25 MB lower at the same CPU in the bench.
   */
  HEAP_GROWING_PERCENT: z.coerce
    .number()
    .int()
    .max(400)
    .refine((v) => v === 0 || v >= 10, "must be 0 (V8's own factor) or 10 to 400")
    .default(50),
  CLIENT_DIR: z.string().default('./client/build'),
  /** A configuration file applied at start-up (server/config-as-code). */
  GATEWAY_CONFIG: z.string().optional(),
  GATEWAY_CONFIG_WATCH: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** OpenTelemetry traces (server/telemetry): off unless an OTLP endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().default('llm-gateway'),
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** How often alert rules are evaluated (and the sending instance's lock renewed). */
  ALERTS_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  /** Request log export (server/observability/log-export): JSON lines POSTed to this URL. */
  LOG_EXPORT_HTTP_URL: z.string().url().optional(),
  /** `name=value` pairs separated by commas (values URL-encoded), as OTEL_EXPORTER_OTLP_HEADERS. */
  LOG_EXPORT_HTTP_HEADERS: z.string().optional(),
  /** Request log export to an S3-compatible bucket: one JSON-lines object per time window. */
  LOG_EXPORT_S3_BUCKET: z.string().optional(),
  LOG_EXPORT_S3_PREFIX: z.string().default('request-logs/'),
  LOG_EXPORT_S3_REGION: z.string().default('us-east-1'),
  /** For MinIO, R2, OSS, COS …; path-style addressing when set. */
  LOG_EXPORT_S3_ENDPOINT: z.string().url().optional(),
  /** Unset: the AWS SDK's own credential chain (AWS_ACCESS_KEY_ID …, instance roles). */
  LOG_EXPORT_S3_ACCESS_KEY_ID: z.string().optional(),
  LOG_EXPORT_S3_SECRET_ACCESS_KEY: z.string().optional(),
  LOG_EXPORT_S3_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dbPath: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Prefix of the scale-out keys and channels in Redis (one per deployment sharing a Redis). */
  redisKeyPrefix: string;
  logLevel: string;
  jwtSecret?: string;
  jwtExpiresIn: string;
  encryptionKey?: string;
  adminEmail?: string;
  adminPassword?: string;
  catalogUrl: string;
  /** Scheduled catalog refresh; 0 = only on demand. */
  catalogRefreshHours: number;
  catalogFetchTimeoutMs: number;
  /** Serve the copy shipped with the gateway until a fetch succeeds. */
  catalogBuiltin: boolean;
  maxBodyBytes: number;
  /** Largest multipart upload on /v1 (audio transcriptions, image edits), held in memory while it is routed. */
  maxUploadBytes: number;
  /** Structural limits of JSON bodies (/v1 and /graphql), checked before parsing. */
  maxJsonDepth: number;
  maxJsonElements: number;
  /** Longest time a request body may take to arrive (408 and the connection closed; 0 = no limit). */
  requestBodyTimeoutMs: number;
  /** Largest whole (non-stream) upstream answer, and largest single stream event, read into memory (502 beyond). */
  maxUpstreamResponseBytes: number;
  /** Longest an upstream stream may last in total, on top of the idle timeout (0 = no limit); providers override it with `timeouts.totalMs`. */
  upstreamStreamTotalMs: number;
  /** Characters of one request tokenized exactly by the local tokenizer; the rest is estimated from that sample. */
  tokenizerMaxChars: number;
  trustProxy: boolean;
  metricsToken?: string;
  /** Request logs older than this many days are deleted (0 = keep forever). */
  requestLogRetentionDays: number;
  /** Health check runs older than this many days are deleted (0 = keep forever). */
  healthRunRetentionDays: number;
  /** Audit log entries older than this many days are deleted (0 = keep forever). */
  auditRetentionDays: number;
  /** Health scheduler lock period: a dead scheduling instance is replaced within it. */
  healthLockPeriodMs: number;
  /** Stored Responses answers for `previous_response_id`: lifetime, most entries, most bytes (memory; also the largest single entry). */
  /** MCP gateway: largest tool result (bytes), most model rounds of a gateway-run tool loop, how long a server's tool list is reused (ms). */
  mcp: { maxResultBytes: number; toolLoopMaxRounds: number; toolListTtlMs: number };
  responseStore: { ttlMs: number; maxEntries: number; maxBytes: number };
  cache: { maxBytes: number; maxEntryBytes: number; defaultTtlSeconds: number; semanticMaxEntries: number; streamIntervalMs: number };
  /** Request log batching: longest wait before a write (ms), rows per write, most rows held in memory. */
  requestLogFlushMs: number;
  requestLogBatchSize: number;
  /** Set by the process entry (server/main.ts), not by startGateway: a V8 flag is process-wide. 0: V8's own factor. */
  heapGrowingPercent: number;
  requestLogBufferMax: number;
  clientDir: string;
  /** Configuration file applied at start-up, and again on change when `gatewayConfigWatch` (configuration as code). */
  gatewayConfig?: string;
  gatewayConfigWatch: boolean;
  /** OTLP trace export; undefined = tracing off (no plugin, SDK never loaded). */
  otel?: { tracesUrl: string; protocol: 'http/protobuf' | 'http/json'; headers: Record<string, string>; serviceName: string };
  /** Alert rules' evaluation period (server/alerts). */
  alertsIntervalMs: number;
  /** Request log rows also sent as JSON lines to an HTTP sink; undefined = off. */
  logExport?: { url: string; headers: Record<string, string> };
  /** Request log rows also written to an S3-compatible bucket; undefined = off. */
  logExportS3?: { bucket: string; prefix: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; windowMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dbPath = path.resolve(e.DB_PATH);
  const config: Config = {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dbPath,
    dataDir: path.resolve(e.DATA_DIR ?? path.dirname(dbPath)),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    logLevel: e.LOG_LEVEL,
    jwtSecret: e.JWT_SECRET,
    jwtExpiresIn: e.JWT_EXPIRES_IN,
    encryptionKey: e.ENCRYPTION_KEY,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    catalogUrl: e.LITELLM_CATALOG_URL,
    catalogRefreshHours: e.CATALOG_REFRESH_HOURS,
    catalogFetchTimeoutMs: e.CATALOG_FETCH_TIMEOUT_MS,
    catalogBuiltin: e.CATALOG_BUILTIN,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxJsonDepth: e.MAX_JSON_DEPTH,
    maxJsonElements: e.MAX_JSON_ELEMENTS,
    requestBodyTimeoutMs: e.REQUEST_BODY_TIMEOUT_MS,
    maxUpstreamResponseBytes: e.MAX_UPSTREAM_RESPONSE_BYTES,
    upstreamStreamTotalMs: e.UPSTREAM_STREAM_TOTAL_MS,
    tokenizerMaxChars: e.TOKENIZER_MAX_CHARS,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    requestLogRetentionDays: e.REQUEST_LOG_RETENTION_DAYS,
    healthRunRetentionDays: e.HEALTH_RUN_RETENTION_DAYS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    healthLockPeriodMs: e.HEALTH_LOCK_PERIOD_MS,
    mcp: { maxResultBytes: e.MCP_MAX_RESULT_BYTES, toolLoopMaxRounds: e.MCP_TOOL_LOOP_MAX_ROUNDS, toolListTtlMs: e.MCP_TOOL_LIST_TTL_MS },
    responseStore: { ttlMs: e.RESPONSE_STORE_TTL_SECONDS * 1000, maxEntries: e.RESPONSE_STORE_MAX_ENTRIES, maxBytes: e.RESPONSE_STORE_MAX_BYTES },
    cache: {
      maxBytes: e.CACHE_MAX_BYTES,
      maxEntryBytes: e.CACHE_MAX_ENTRY_BYTES,
      defaultTtlSeconds: e.CACHE_DEFAULT_TTL_SECONDS,
      semanticMaxEntries: e.CACHE_SEMANTIC_MAX_ENTRIES,
      streamIntervalMs: e.CACHE_STREAM_INTERVAL_MS,
    },
    requestLogFlushMs: e.REQUEST_LOG_FLUSH_MS,
    requestLogBatchSize: e.REQUEST_LOG_BATCH_SIZE,
    heapGrowingPercent: e.HEAP_GROWING_PERCENT,
    requestLogBufferMax: e.REQUEST_LOG_BUFFER_MAX,
    clientDir: path.resolve(e.CLIENT_DIR),
    gatewayConfig: e.GATEWAY_CONFIG ? path.resolve(e.GATEWAY_CONFIG) : undefined,
    gatewayConfigWatch: e.GATEWAY_CONFIG_WATCH,
    otel: otelConfig(e),
    alertsIntervalMs: e.ALERTS_INTERVAL_MS,
    logExport: e.LOG_EXPORT_HTTP_URL ? { url: e.LOG_EXPORT_HTTP_URL, headers: parseHeaderList(e.LOG_EXPORT_HTTP_HEADERS) } : undefined,
    logExportS3: e.LOG_EXPORT_S3_BUCKET
      ? {
          bucket: e.LOG_EXPORT_S3_BUCKET,
          prefix: e.LOG_EXPORT_S3_PREFIX,
          region: e.LOG_EXPORT_S3_REGION,
          endpoint: e.LOG_EXPORT_S3_ENDPOINT,
          accessKeyId: e.LOG_EXPORT_S3_ACCESS_KEY_ID,
          secretAccessKey: e.LOG_EXPORT_S3_SECRET_ACCESS_KEY,
          windowMs: e.LOG_EXPORT_S3_WINDOW_SECONDS * 1000,
        }
      : undefined,
  };
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new ConfigError('Invalid configuration:\n  DATABASE_URL: must start with postgres:// or postgresql://');
  }
  if (config.env === 'production') {
    if (!config.jwtSecret || config.jwtSecret.length < 32) {
      throw new ConfigError('JWT_SECRET must be set to at least 32 characters when NODE_ENV=production (generate one with: openssl rand -base64 48)');
    }
    if (!config.encryptionKey || config.encryptionKey.length < 32) {
      throw new ConfigError('ENCRYPTION_KEY must be set to at least 32 characters when NODE_ENV=production (generate one with: openssl rand -base64 48)');
    }
  }
  return config;
}

/**
 * The OTLP settings as the OpenTelemetry specification defines them: the
 * signal-specific variable wins; a base endpoint gets `/v1/traces` appended.
 */
function otelConfig(e: z.infer<typeof envSchema>): Config['otel'] {
  if (e.OTEL_SDK_DISABLED) return undefined;
  const tracesUrl =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!tracesUrl) return undefined;
  return {
    tracesUrl,
    protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    headers: { ...parseHeaderList(e.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaderList(e.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
    serviceName: e.OTEL_SERVICE_NAME,
  };
}

/** `a=1,b=x%20y` → { a: '1', b: 'x y' } (the W3C baggage-like list OTEL_EXPORTER_OTLP_HEADERS uses). */
export function parseHeaderList(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (list ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!name) continue;
    try {
      out[name] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      out[name] = pair.slice(eq + 1).trim();
    }
  }
  return out;
}
