import { GraphQLError } from 'graphql';
import { Repeater, SlidingBuffer } from 'graphql-yoga';
import { z } from 'zod';
import type { Prisma } from '../../db/generated/sqlite/index.js';
import type { RequestLogRow } from '../../core/request-log-row.js';
import type { AttemptRecord, SentUpstreamRecord } from '../../core/request-record.js';
import type { GraphqlDeps } from '../deps.js';
import { resolveCursorConnection, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import { builder } from '../builder.js';
import { encodeKeyset, keysetPage } from '../keyset.js';
import { validate } from '../validate.js';
import { TEAM_READ, teamScope } from '../team-scope.js';

const forbidden = () => new GraphQLError('Forbidden: this operation needs the admin role', { extensions: { code: 'FORBIDDEN' } });

/** The tags column (JSON text of a string array) as a list. */
function parsedTags(text: string | null | undefined): string[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

/** A log row as read for GraphQL: bodies are loaded only for the detail (undefined = not loaded). */
type LogView = Omit<RequestLogRow, 'requestBody' | 'responseBody' | 'rulesApplied' | 'attemptLog' | 'upstreamRequest'> & {
  requestBody?: string | null;
  responseBody?: string | null;
  rulesApplied?: unknown;
  attemptLog?: string | null;
  upstreamRequest?: string | null;
};

/** Stored JSON text read back; a row written before the column existed has none. */
function parsedJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const RequestAttemptRef = builder.objectRef<AttemptRecord>('RequestAttempt').implement({
  description: 'One upstream attempt of a request, in order.',
  fields: (t) => ({
    modelId: t.exposeID('modelId', { description: 'The configured model (target) tried.' }),
    model: t.exposeString('model', { description: 'The upstream model id sent to the provider.' }),
    providerId: t.exposeID('providerId'),
    provider: t.exposeString('provider', { description: 'Provider name.' }),
    status: t.exposeInt('status', { description: "The upstream's status, or the one its failure was mapped to (504 timeout, 502 transport)." }),
    errorClass: t.exposeString('errorClass', { nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed (scrubbed).' }),
    latencyMs: t.exposeInt('latencyMs'),
  }),
});

const HeaderRef = builder.objectRef<{ name: string; value: string }>('HttpHeader').implement({
  fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
});

const SentUpstreamRef = builder.objectRef<SentUpstreamRecord>('SentUpstreamRequest').implement({
  description: 'The upstream request as the gateway sent it (the last attempt): credentials masked; the body only when the key logs bodies.',
  fields: (t) => ({
    method: t.exposeString('method'),
    url: t.exposeString('url', { description: 'Without user info; credential-like query values masked.' }),
    headers: t.field({
      type: [HeaderRef],
      description: 'Before the provider credential step (signatures and minted tokens are added after); credential values masked.',
      resolve: (sent) => Object.entries(sent.headers).map(([name, value]) => ({ name, value })),
    }),
    body: t.exposeString('body', { nullable: true, description: 'Scrubbed, size-capped; null unless the key logs bodies.' }),
  }),
});

/** Every column but the bodies: list queries never load them. */
const LIST_SELECT = {
  id: true,
  createdAt: true,
  virtualKeyId: true,
  keyName: true,
  keyPrefix: true,
  clientApi: true,
  requestedModel: true,
  modelId: true,
  targetModel: true,
  providerId: true,
  providerName: true,
  attempts: true,
  stream: true,
  status: true,
  errorClass: true,
  errorMessage: true,
  latencyMs: true,
  ttftMs: true,
  inputTokens: true,
  outputTokens: true,
  cachedTokens: true,
  cacheWriteTokens: true,
  reasoningTokens: true,
  injectedTokens: true,
  costUsd: true,
  clientIp: true,
  userAgent: true,
  rulesApplied: true,
  warnings: true,
  cache: true,
  cacheKey: true,
  costSavedUsd: true,
  guardrails: true,
  teamId: true,
  endUser: true,
  tags: true,
} satisfies Prisma.RequestLogSelect;

async function loadBodies(services: GraphqlDeps, log: LogView): Promise<{ requestBody: string | null; responseBody: string | null }> {
  if (log.requestBody !== undefined && log.responseBody !== undefined) {
    return { requestBody: log.requestBody, responseBody: log.responseBody };
  }
  const row = await services.db.requestLog.findUnique({ where: { id: log.id }, select: { requestBody: true, responseBody: true } });
  return { requestBody: row?.requestBody ?? null, responseBody: row?.responseBody ?? null };
}

export const RequestLogRef = builder.objectRef<LogView>('RequestLog');
RequestLogRef.implement({
  description: 'One proxied request. Written in batches, so it appears here within about a second of finishing.',
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the request finished.' }),
    keyId: t.exposeID('virtualKeyId', { nullable: true, description: 'Virtual key id (null when the key was missing or invalid).' }),
    keyName: t.exposeString('keyName', { nullable: true }),
    keyPrefix: t.exposeString('keyPrefix', { nullable: true }),
    clientApi: t.exposeString('clientApi', {
      description:
        'chat-completions | responses | messages | embeddings | count_tokens | image_generations | image_edits | audio_speech | audio_transcriptions | rerank | moderations',
    }),
    requestedModel: t.exposeString('requestedModel', { nullable: true, description: 'The model name the client asked for.' }),
    modelId: t.exposeID('modelId', { nullable: true, description: 'The configured model that served it.' }),
    targetModel: t.exposeString('targetModel', { nullable: true, description: 'The upstream model id sent to the provider.' }),
    providerId: t.exposeID('providerId', { nullable: true }),
    providerName: t.exposeString('providerName', { nullable: true }),
    attempts: t.exposeInt('attempts'),
    stream: t.exposeBoolean('stream'),
    status: t.exposeInt('status', { description: 'HTTP status sent to the client (499: the client went away).' }),
    errorClass: t.exposeString('errorClass', { nullable: true }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    latencyMs: t.exposeInt('latencyMs'),
    ttftMs: t.exposeInt('ttftMs', { nullable: true, description: 'Time to the first upstream byte of the answer.' }),
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    cachedTokens: t.exposeInt('cachedTokens'),
    cacheWriteTokens: t.exposeInt('cacheWriteTokens', {
      description: "Prompt tokens written to the provider's prompt cache (priced at the model's cache-write price).",
    }),
    reasoningTokens: t.exposeInt('reasoningTokens'),
    injectedTokens: t.exposeInt('injectedTokens', { description: 'Tokens of upstream instructions the gateway injected (relay providers).' }),
    rulesApplied: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Prompt rules that changed the request, in order: [{ id, kind }].',
      resolve: (log) => (log.rulesApplied ?? null) as never,
    }),
    warnings: t.exposeString('warnings', {
      nullable: true,
      description: 'What a translation could not carry to the upstream (dropped tools, fields), "; "-separated; also sent as x-gateway-warnings.',
    }),
    guardrails: t.exposeString('guardrails', {
      nullable: true,
      description: 'Guardrails that fired: "name:mode:count" (values found, never the values), "; "-separated.',
    }),
    costUsd: t.exposeFloat('costUsd'),
    cache: t.exposeString('cache', { nullable: true, description: 'Response cache: hit | miss | bypass (null: caching was off for this request).' }),
    cacheKey: t.exposeString('cacheKey', { nullable: true, description: 'The cache entry a hit came from, or the one a miss was stored under (sha256).' }),
    costSavedUsd: t.exposeFloat('costSavedUsd', { description: 'What a cache hit would have cost upstream (USD); 0 otherwise.' }),
    teamId: t.exposeID('teamId', { nullable: true, description: "The key's team at request time." }),
    endUser: t.exposeString('endUser', {
      nullable: true,
      description: 'The end user the caller named (OpenAI `user`, Anthropic `metadata.user_id`, `x-gateway-end-user`).',
    }),
    tags: t.stringList({ description: 'Tags of the request (`x-gateway-tags`, `metadata.tags`).', resolve: (log) => parsedTags(log.tags) }),
    clientIp: t.exposeString('clientIp', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    attemptLog: t.field({
      type: [RequestAttemptRef],
      description: 'Each upstream attempt (target, status, error, latency), in order; read with requestLog(id) (empty in lists).',
      resolve: (log) => parsedJson<AttemptRecord[]>(log.attemptLog) ?? [],
    }),
    upstreamRequest: t.field({
      type: SentUpstreamRef,
      nullable: true,
      description: 'The upstream request as sent (last attempt); admins only, read with requestLog(id).',
      resolve: (log, _args, ctx) => (ctx.user?.role === 'admin' ? parsedJson<SentUpstreamRecord>(log.upstreamRequest) : null),
    }),
    requestBody: t.string({
      nullable: true,
      description: 'Scrubbed, size-capped request body; only when the key logs bodies, and only for admins (null for viewers).',
      resolve: async (log, _args, ctx) => (ctx.user?.role === 'admin' ? (await loadBodies(ctx.services, log)).requestBody : null),
    }),
    responseBody: t.string({
      nullable: true,
      description: 'Scrubbed, size-capped response body of non-stream requests; as requestBody.',
      resolve: async (log, _args, ctx) => (ctx.user?.role === 'admin' ? (await loadBodies(ctx.services, log)).responseBody : null),
    }),
  }),
});

const statusClass = z
  .string()
  .regex(/^[1-5]xx$/i, 'must be one of 1xx, 2xx, 3xx, 4xx, 5xx')
  .transform((s) => Number(s[0]));

const filterSchema = z.object({
  keyId: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  providerId: z.string().min(1).optional(),
  status: z.number().int().min(100).max(599).optional(),
  statusClass: statusClass.optional(),
  errorClass: z.string().min(1).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  search: z.string().trim().min(1).max(500).optional(),
  excludeKeyIds: z.array(z.string().min(1)).max(100).optional(),
  teamId: z.string().min(1).optional(),
  endUser: z.string().min(1).optional(),
});

const RequestLogFilter = builder.inputType('RequestLogFilter', {
  fields: (t) => ({
    keyId: t.id({ description: 'Virtual key id.' }),
    model: t.string({ description: 'Requested model name (exact).' }),
    providerId: t.id(),
    status: t.int({ description: 'Exact HTTP status.' }),
    statusClass: t.string({ description: '2xx, 4xx, 5xx (or 1xx, 3xx).' }),
    errorClass: t.string({ description: 'e.g. upstream, timeout, rate_limit, invalid_request.' }),
    from: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    to: t.field({ type: 'DateTime', description: 'Exclusive.' }),
    search: t.string({ description: 'Text contained in the error message.' }),
    excludeKeyIds: t.idList({ description: "Leave out these keys' requests (the admin UI hides the health monitoring key's traffic this way)." }),
    teamId: t.id({ description: "Only this team's keys (a team member always sees only their team)." }),
    endUser: t.string({ description: 'Only this end user.' }),
  }),
});

const defined = <T extends Record<string, unknown>>(o: T | null | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null));

function logWhere(filter: RequestLogFilterInput, services: Pick<GraphqlDeps, 'dbTarget'>): Prisma.RequestLogWhereInput {
  const where: Prisma.RequestLogWhereInput = {};
  if (filter.keyId) where.virtualKeyId = filter.keyId;
  if (filter.teamId) where.teamId = filter.teamId;
  if (filter.endUser) where.endUser = filter.endUser;
  if (filter.model) where.requestedModel = filter.model;
  if (filter.providerId) where.providerId = filter.providerId;
  if (filter.errorClass) where.errorClass = filter.errorClass;
  if (filter.excludeKeyIds?.length) where.OR = [{ virtualKeyId: null }, { virtualKeyId: { notIn: filter.excludeKeyIds } }];
  if (filter.status !== undefined) where.status = filter.status;
  else if (filter.statusClass !== undefined) where.status = { gte: filter.statusClass * 100, lt: filter.statusClass * 100 + 100 };
  if (filter.from || filter.to) where.createdAt = { ...(filter.from && { gte: filter.from }), ...(filter.to && { lt: filter.to }) };
  if (filter.search) {
    // SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL needs the mode.
    const insensitive = services.dbTarget.kind === 'postgres' ? { mode: 'insensitive' } : {};
    where.errorMessage = { contains: filter.search, ...insensitive };
  }
  return where;
}

export const MAX_LOG_PAGE = 200;

export type RequestLogFilterInput = z.infer<typeof filterSchema>;

/** Cursor of a log row: its (createdAt, id) position in the list order. */
export const logCursor = (row: { createdAt: Date; id: string }) => encodeKeyset({ at: row.createdAt, id: row.id });

/**
 * One page of request logs, newest first, as a connection (the `requestLogs`
 * query; exported so its SQL can be checked against the indexes). Keyset
 * paging on (createdAt, id) and no count of the matching rows: both stay fast
 * on a table of millions.
 */
export function listRequestLogs(services: Pick<GraphqlDeps, 'db' | 'dbTarget'>, filter: RequestLogFilterInput, args: DefaultConnectionArguments) {
  const where = logWhere(filter, services);
  return resolveCursorConnection<Promise<LogView[]>>({ args, defaultSize: 50, maxSize: MAX_LOG_PAGE, toCursor: logCursor }, async (page) => {
    const { bounds, orderBy } = keysetPage('createdAt', page);
    return services.db.requestLog.findMany({
      where: bounds.length ? { AND: [where, ...bounds] } : where,
      select: LIST_SELECT,
      orderBy: orderBy,
      take: page.limit,
    });
  });
}

builder.queryField('requestLogs', (t) =>
  t.connection(
    {
      type: RequestLogRef,
      description:
        `Request logs, newest first; first: default 50, at most ${MAX_LOG_PAGE}. Page on with \`after: pageInfo.endCursor\` (keyset, fast at any depth). ` +
        'Bodies are not listed; read them with requestLog(id).',
      ...TEAM_READ,
      args: { filter: t.arg({ type: RequestLogFilter }) },
      resolve: (_root, args, ctx) => {
        const filter = validate(filterSchema, defined(args.filter));
        const team = teamScope(ctx);
        return listRequestLogs(ctx.services, team === null ? filter : { ...filter, teamId: team }, args);
      },
    },
    { name: 'RequestLogConnection' },
    { name: 'RequestLogEdge' },
  ),
);

builder.queryField('requestLog', (t) =>
  t.field({
    type: RequestLogRef,
    nullable: true,
    description: 'One request log with its bodies (admins only see bodies).',
    ...TEAM_READ,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const row = await ctx.services.db.requestLog.findUnique({ where: { id: String(id) } });
      // Another team's log reads as absent.
      const team = teamScope(ctx);
      return team !== null && row?.teamId !== team ? null : row;
    },
  }),
);

const RequestLogStreamFilter = builder.inputType('RequestLogStreamFilter', {
  fields: (t) => ({
    keyId: t.id(),
    model: t.string({ description: 'Requested model name (exact).' }),
    statusClass: t.string({ description: '2xx, 4xx, 5xx (or 1xx, 3xx).' }),
  }),
});

const streamFilterSchema = z.object({ keyId: z.string().optional(), model: z.string().optional(), statusClass: statusClass.optional() });

/** Events a slow subscriber may lag behind before the oldest are skipped. */
const LIVE_BUFFER = 500;

builder.subscriptionField('requestLogged', (t) =>
  t.field({
    type: RequestLogRef,
    authScopes: { admin: true },
    description: 'Each request as it finishes (admins only). A subscriber that falls more than 500 events behind skips the oldest.',
    args: { filter: t.arg({ type: RequestLogStreamFilter }) },
    subscribe: (_root, args, ctx) => {
      // authScopes are checked per event; refuse at subscribe time too, so a viewer gets an answer at once.
      if (ctx.user?.role !== 'admin') throw forbidden();
      const f = validate(streamFilterSchema, defined(args.filter));
      const matches = (row: RequestLogRow) =>
        (!f.keyId || row.virtualKeyId === f.keyId) &&
        (!f.model || row.requestedModel === f.model) &&
        (f.statusClass === undefined || Math.floor(row.status / 100) === f.statusClass);
      // Pull from the bus at once and hand over through a sliding buffer: a slow
      // socket then skips old events instead of piling them up on the bus.
      return new Repeater<RequestLogRow>(async (push, stop) => {
        const source = ctx.services.events.subscribe('requestLogged');
        void stop.then(() => source.return());
        for await (const row of source) {
          if (matches(row)) void push(row);
        }
      }, new SlidingBuffer(LIVE_BUFFER));
    },
    resolve: (row) => row,
  }),
);
