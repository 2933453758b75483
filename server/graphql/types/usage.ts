import { z } from 'zod';
import {
  prismaReader,
  usageByBucket,
  usageByColumn,
  type SqlReader,
  type UsageGrouping,
  type UsageRow,
  type UsageScope,
} from '../../observability/usage-sql.js';
import type { GraphqlDeps } from '../deps.js';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { validate } from '../validate.js';
import { TEAM_READ, teamScope } from '../team-scope.js';

/**
 * Usage aggregates over the request log, computed in the database by
 * observability/usage-sql.ts (counts, sums and nearest-rank P50 / P95 latency
 * in one statement per grouping), read through `services.usageReads` when the
 * database has a reader off the event loop (SQLite), else through Prisma.
 * Scopes of more than RAW_ROWS_MAX requests by key, model, provider or team
 * read the hourly / daily rollup (db/usage-rollup.ts): counts and
 * sums stay exact, P50 / P95 are then estimated from its latency histogram
 * (within one bin of the exact value).
 */

/** One group's or one bucket's aggregates, as the SQL reader returns them. */
type Stats = Omit<UsageRow, 'group'>;

const UsageGroupByEnum = builder.enumType('UsageGroupBy', { values: ['KEY', 'MODEL', 'PROVIDER', 'TEAM', 'END_USER', 'TAG'] as const });
const UsageBucketEnum = builder.enumType('UsageBucket', { values: ['MINUTE', 'HOUR', 'DAY'] as const });

type GroupBy = 'KEY' | 'MODEL' | 'PROVIDER' | 'TEAM' | 'END_USER' | 'TAG';
const COLUMN: Record<GroupBy, UsageGrouping> = {
  KEY: 'virtualKeyId',
  MODEL: 'requestedModel',
  PROVIDER: 'providerId',
  TEAM: 'teamId',
  END_USER: 'endUser',
  TAG: 'tag',
};
const BUCKET_SECONDS = { MINUTE: 60, HOUR: 3600, DAY: 86_400 } as const;
const MAX_BUCKETS = 2000;

/** The aggregate fields, shared by the total, each group and each time point. */
const StatsInterface = builder.interfaceRef<Stats>('UsageMetrics');
StatsInterface.implement({
  description: 'Requests, errors (HTTP status >= 400), tokens, cost and latency percentiles (nearest rank) of a set of requests.',
  fields: (t) => ({
    requests: t.exposeInt('requests'),
    errors: t.exposeInt('errors'),
    errorRate: t.float({ description: 'errors / requests (0 when there are none).', resolve: (s) => (s.requests ? s.errors / s.requests : 0) }),
    inputTokens: t.exposeFloat('inputTokens', { description: 'Prompt tokens, cached included.' }),
    outputTokens: t.exposeFloat('outputTokens', { description: 'Completion tokens, reasoning included.' }),
    cachedTokens: t.exposeFloat('cachedTokens'),
    reasoningTokens: t.exposeFloat('reasoningTokens'),
    costUsd: t.exposeFloat('costUsd'),
    cacheHits: t.exposeInt('cacheHits', { description: 'Requests answered from the response cache.' }),
    costSavedUsd: t.exposeFloat('costSavedUsd', { description: 'What the cache hits would have cost upstream (USD).' }),
    p50LatencyMs: t.exposeInt('p50LatencyMs', { nullable: true }),
    p95LatencyMs: t.exposeInt('p95LatencyMs', { nullable: true }),
  }),
});

const StatsRef = builder.objectRef<Stats>('UsageStats');
StatsRef.implement({ interfaces: [StatsInterface], isTypeOf: () => true, fields: () => ({}) });

interface Group extends Stats {
  key: string | null;
  label: string;
}
const UsageGroupRef = builder.objectRef<Group>('UsageGroup');
UsageGroupRef.implement({
  interfaces: [StatsInterface],
  isTypeOf: () => true,
  fields: (t) => ({
    key: t.string({
      nullable: true,
      description: 'Key id, requested model name, provider id, team id, end user or tag (null: requests without one).',
      resolve: (g) => g.key,
    }),
    label: t.string({ description: 'Key name (prefix), model name, provider name, team name, end user or tag.', resolve: (g) => g.label }),
  }),
});

interface Summary {
  from: Date;
  to: Date;
  groupBy: GroupBy;
  total: Stats;
  groups: Group[];
}
const UsageSummaryRef = builder.objectRef<Summary>('UsageSummary');
UsageSummaryRef.implement({
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime' }),
    groupBy: t.expose('groupBy', { type: UsageGroupByEnum }),
    total: t.expose('total', { type: StatsRef }),
    groups: t.expose('groups', { type: [UsageGroupRef], description: 'Most requests first.' }),
  }),
});

interface Point extends Stats {
  at: Date;
}
const UsagePointRef = builder.objectRef<Point>('UsagePoint');
UsagePointRef.implement({
  interfaces: [StatsInterface],
  isTypeOf: () => true,
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'Bucket start (UTC).', resolve: (p) => p.at }),
  }),
});

const scopeSchema = z
  .object({
    from: z.date(),
    to: z.date(),
    keyId: z.string().min(1).nullish(),
    model: z.string().min(1).nullish(),
    providerId: z.string().min(1).nullish(),
    teamId: z.string().min(1).nullish(),
    endUser: z.string().min(1).nullish(),
    tag: z.string().min(1).nullish(),
  })
  .refine((s) => s.from.getTime() < s.to.getTime(), { message: 'must be after from', path: ['to'] });

function stats(r: UsageRow | undefined): Stats {
  return {
    requests: r?.requests ?? 0,
    errors: r?.errors ?? 0,
    inputTokens: r?.inputTokens ?? 0,
    outputTokens: r?.outputTokens ?? 0,
    cachedTokens: r?.cachedTokens ?? 0,
    reasoningTokens: r?.reasoningTokens ?? 0,
    costUsd: r?.costUsd ?? 0,
    cacheHits: r?.cacheHits ?? 0,
    costSavedUsd: r?.costSavedUsd ?? 0,
    p50LatencyMs: r?.p50LatencyMs ?? null,
    p95LatencyMs: r?.p95LatencyMs ?? null,
  };
}

const readerOf = (services: Pick<GraphqlDeps, 'db' | 'usageReads'>): SqlReader => services.usageReads ?? prismaReader(services.db);

async function groupLabels(services: GraphqlDeps, groupBy: Summary['groupBy'], keys: string[]): Promise<Map<string, string>> {
  const { db } = services;
  if (groupBy === 'KEY') {
    const rows = await db.virtualKey.findMany({ where: { id: { in: keys } }, select: { id: true, name: true, keyPrefix: true } });
    return new Map(rows.map((k) => [k.id, `${k.name} (${k.keyPrefix}…)`]));
  }
  if (groupBy === 'TEAM') {
    const rows = await db.team.findMany({ where: { id: { in: keys } }, select: { id: true, name: true } });
    return new Map(rows.map((t) => [t.id, t.name]));
  }
  if (groupBy === 'PROVIDER') {
    const rows = await db.provider.findMany({ where: { id: { in: keys } }, select: { id: true, name: true } });
    return new Map(rows.map((p) => [p.id, p.name]));
  }
  return new Map(keys.map((k) => [k, k]));
}

export async function usageSummary(services: GraphqlDeps, groupBy: Summary['groupBy'], scope: UsageScope): Promise<Summary> {
  const reader = readerOf(services);
  const kind = services.dbTarget.kind;
  const [groups, total] = await Promise.all([usageByColumn(reader, kind, COLUMN[groupBy], scope), usageByColumn(reader, kind, null, scope)]);
  const keyOf = (g: UsageRow) => (g.group === null ? null : String(g.group));
  const labels = await groupLabels(
    services,
    groupBy,
    groups.map(keyOf).filter((k): k is string => k !== null),
  );
  const out: Group[] = groups.map((g) => {
    const key = keyOf(g);
    return { key, label: key === null ? '(none)' : (labels.get(key) ?? key), ...stats(g) };
  });
  out.sort((a, b) => b.requests - a.requests || b.costUsd - a.costUsd);
  return { from: scope.from, to: scope.to, groupBy, total: stats(total[0]), groups: out };
}

export async function usageTimeseries(services: GraphqlDeps, bucket: keyof typeof BUCKET_SECONDS, scope: UsageScope): Promise<Point[]> {
  const seconds = BUCKET_SECONDS[bucket];
  const first = Math.floor(scope.from.getTime() / 1000 / seconds) * seconds;
  const count = Math.ceil((scope.to.getTime() / 1000 - first) / seconds);
  if (count > MAX_BUCKETS) throw badInput(`too many buckets (${count}); at most ${MAX_BUCKETS}: use a larger bucket or a shorter range`, 'bucket');
  const rows = await usageByBucket(readerOf(services), services.dbTarget.kind, seconds, scope);
  const byStart = new Map(rows.map((r) => [r.group as number, r]));
  const points: Point[] = [];
  // Every bucket of the range, empty ones as zeros, so charts need no gap handling.
  for (let i = 0; i < count; i++) {
    const start = first + i * seconds;
    const r = byStart.get(start);
    points.push({ at: new Date(start * 1000), ...stats(r) });
  }
  return points;
}

/** The filters usageSummary and usageTimeseries share. */
const USAGE_SCOPE_ARGS = builder.args((t) => ({
  from: t.field({ type: 'DateTime', required: true, description: 'Inclusive.' }),
  to: t.field({ type: 'DateTime', required: true, description: 'Exclusive.' }),
  keyId: t.id({ description: 'Only this virtual key.' }),
  model: t.string({ description: 'Only this requested model name.' }),
  providerId: t.id({ description: 'Only this provider.' }),
  teamId: t.id({ description: "Only this team's keys (a team member always sees only their team)." }),
  endUser: t.string({ description: 'Only this end user.' }),
  tag: t.string({ description: 'Only requests with this tag.' }),
}));

/** The validated scope of those filters; a team member is held to their own team. */
function usageScope(
  args: {
    from: Date;
    to: Date;
    keyId?: string | number | null;
    model?: string | null;
    providerId?: string | number | null;
    teamId?: string | number | null;
    endUser?: string | null;
    tag?: string | null;
  },
  ctx: Parameters<typeof teamScope>[0],
) {
  return validate(scopeSchema, {
    from: args.from,
    to: args.to,
    keyId: args.keyId?.toString(),
    model: args.model,
    providerId: args.providerId?.toString(),
    teamId: teamScope(ctx) ?? args.teamId?.toString(),
    endUser: args.endUser,
    tag: args.tag,
  });
}

builder.queryField('usageSummary', (t) =>
  t.field({
    type: UsageSummaryRef,
    ...TEAM_READ,
    description: 'Requests, errors, tokens, cost and P50/P95 latency in [from, to), in total and per key, model or provider.',
    args: {
      ...USAGE_SCOPE_ARGS,
      groupBy: t.arg({ type: UsageGroupByEnum, required: true }),
    },
    resolve: (_root, args, ctx) => {
      const scope = usageScope(args, ctx);
      return usageSummary(ctx.services, args.groupBy, scope);
    },
  }),
);

builder.queryField('usageTimeseries', (t) =>
  t.field({
    type: [UsagePointRef],
    ...TEAM_READ,
    description: `The same aggregates per time bucket (UTC), oldest first, every bucket of [from, to) present; at most ${MAX_BUCKETS} buckets.`,
    args: {
      ...USAGE_SCOPE_ARGS,
      bucket: t.arg({ type: UsageBucketEnum, required: true }),
    },
    resolve: (_root, args, ctx) => {
      const scope = usageScope(args, ctx);
      return usageTimeseries(ctx.services, args.bucket, scope);
    },
  }),
);
