import { resolveCursorConnection } from '@pothos/plugin-relay';
import { createHealthTargetSchema, updateHealthTargetSchema } from '../../config-service/health-targets.js';
import { DEFAULT_CHECK_PROMPT, DEFAULT_INTERVAL_SECONDS } from '../../health/check-config.js';
import { toRun } from '../../health/repository.js';
import type { TargetView } from '../../health/monitor.js';
import type { HealthUpdateEvent } from '../../core/events.js';
import type { RunRecord } from '../../core/health-run.js';
import type { GraphqlDeps } from '../deps.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { badInput, notFound } from '../errors.js';
import { encodeKeyset, keysetPage } from '../keyset.js';
import { validate, withoutUndefined } from '../validate.js';

const HealthStateEnum = builder.enumType('HealthState', {
  description:
    'healthy; degraded = a failure among the last 5 runs or recent latency far above its 24 h median; down = the last 3 runs failed; unknown = no runs yet.',
  values: { HEALTHY: { value: 'healthy' }, DEGRADED: { value: 'degraded' }, DOWN: { value: 'down' }, UNKNOWN: { value: 'unknown' } } as const,
});
const TargetKindEnum = builder.enumType('HealthTargetKind', {
  values: { MODEL: { value: 'model' }, VIRTUAL_MODEL: { value: 'virtual_model' } } as const,
});
const RunStatusEnum = builder.enumType('HealthRunStatus', {
  values: { SUCCESS: { value: 'success' }, FAILURE: { value: 'failure' } } as const,
});
const WindowEnum = builder.enumType('HealthWindow', {
  values: { H1: { value: 3_600_000 }, H24: { value: 86_400_000 }, D7: { value: 7 * 86_400_000 } } as const,
});

const HealthRunRef = builder.objectRef<RunRecord>('HealthRun');
HealthRunRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    targetId: t.exposeID('targetId'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    status: t.field({ type: RunStatusEnum, resolve: (r) => r.status }),
    latencyMs: t.exposeInt('latencyMs', { nullable: true }),
    ttftMs: t.exposeInt('ttftMs', { nullable: true, description: 'Time to the first streamed token.' }),
    errorType: t.exposeString('errorType', {
      nullable: true,
      description: 'timeout | http_4xx | http_5xx | connection | invalid_response | expectation_failed',
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true, description: 'Short, with secrets and URLs removed.' }),
  }),
});

const CheckConfigType = builder.simpleObject('HealthCheckConfig', {
  fields: (t) => ({
    timeoutMs: t.int(),
    retries: t.int(),
    maxTokens: t.int(),
    expect: t.string({ nullable: true, description: 'Text the answer must contain (case-insensitive).' }),
  }),
});

const ErrorCount = builder.simpleObject('HealthErrorCount', {
  fields: (t) => ({ errorType: t.string(), count: t.int() }),
});

const HealthTargetRef = builder.objectRef<TargetView>('HealthTarget');
HealthTargetRef.implement({
  description: 'A model or virtual model checked on a schedule, with its aggregates (24 h unless named otherwise).',
  fields: (t) => ({
    id: t.id({ resolve: (v) => v.target.id }),
    name: t.string({ resolve: (v) => v.target.name }),
    kind: t.field({ type: TargetKindEnum, resolve: (v) => v.target.kind }),
    modelName: t.string({ resolve: (v) => v.target.modelName }),
    enabled: t.boolean({ resolve: (v) => v.target.enabled }),
    intervalSeconds: t.int({ resolve: (v) => v.target.intervalSeconds }),
    checkPrompt: t.string({ resolve: (v) => v.target.checkPrompt }),
    checkConfig: t.field({ type: CheckConfigType, resolve: (v) => ({ ...v.target.checkConfig, expect: v.target.checkConfig.expect ?? null }) }),
    state: t.field({ type: HealthStateEnum, resolve: (v) => v.health.state }),
    availability1h: t.float({ nullable: true, description: '0..1; null without runs in the window.', resolve: (v) => v.health.availability1h }),
    availability24h: t.float({ nullable: true, resolve: (v) => v.health.availability24h }),
    latencyP50Ms: t.int({ nullable: true, description: 'Nearest-rank median of successful runs.', resolve: (v) => v.health.latencyP50Ms }),
    latencyP95Ms: t.int({ nullable: true, resolve: (v) => v.health.latencyP95Ms }),
    ttftP50Ms: t.int({ nullable: true, resolve: (v) => v.health.ttftP50Ms }),
    runs1h: t.int({ resolve: (v) => v.health.runs1h }),
    runs24h: t.int({ resolve: (v) => v.health.runs24h }),
    errorDistribution: t.field({
      type: [ErrorCount],
      resolve: (v) => Object.entries(v.health.errorDistribution).map(([errorType, count]) => ({ errorType, count })),
    }),
    lastRunAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.health.lastRunAt }),
    recentRuns: t.field({
      type: [HealthRunRef],
      description: 'Newest first, at most 60.',
      args: { limit: t.arg.int() },
      resolve: (v, { limit }) => v.recent.slice(0, Math.max(0, Math.min(60, limit ?? 30))),
    }),
  }),
});

const HealthSummary = builder.simpleObject('HealthSummary', {
  fields: (t) => ({
    monitoringEnabled: t.boolean(),
    targets: t.int(),
    healthy: t.int(),
    degraded: t.int(),
    down: t.int(),
    unknown: t.int(),
  }),
});

const HealthUpdate = builder.objectRef<HealthUpdateEvent>('HealthUpdate');
HealthUpdate.implement({
  fields: (t) => ({
    targetId: t.exposeID('targetId'),
    targetName: t.exposeString('targetName'),
    run: t.field({ type: HealthRunRef, resolve: (e) => e.run }),
    state: t.field({ type: HealthStateEnum, resolve: (e) => e.state }),
    previousState: t.field({ type: HealthStateEnum, resolve: (e) => e.previousState }),
    stateChanged: t.exposeBoolean('stateChanged'),
  }),
});

const TargetInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      name: t.string({ description: 'Defaults to the model name.' }),
      kind: t.field({ type: TargetKindEnum }),
      modelName: t.string({ required }),
      enabled: t.boolean(),
      intervalSeconds: t.int({ description: `Default ${DEFAULT_INTERVAL_SECONDS}` }),
      checkPrompt: t.string({ description: `Default "${DEFAULT_CHECK_PROMPT}"` }),
      checkConfig: t.field({ type: 'JSON', description: '{ timeoutMs, retries, maxTokens, expect }' }),
    }),
  });
const CreateInput = TargetInput('CreateHealthTargetInput', true);
const UpdateInput = TargetInput('UpdateHealthTargetInput', false);

async function viewOf(services: GraphqlDeps, id: string): Promise<TargetView> {
  const view = (await services.health.views(false)).find((v) => v.target.id === id);
  if (!view) throw notFound('Health target');
  return view;
}

builder.queryField('healthTargets', (t) => t.field({ type: [HealthTargetRef], resolve: (_root, _args, ctx) => ctx.services.health.views(false) }));

builder.queryField('healthTarget', (t) =>
  t.field({ type: HealthTargetRef, args: { id: t.arg.id({ required: true }) }, resolve: (_root, { id }, ctx) => viewOf(ctx.services, String(id)) }),
);

builder.queryField('healthSummary', (t) =>
  t.field({
    type: HealthSummary,
    resolve: async (_root, _args, ctx) => {
      const views = await ctx.services.health.views(true);
      const count = (state: string) => views.filter((v) => v.health.state === state).length;
      return {
        monitoringEnabled: ctx.services.health.enabled,
        targets: views.length,
        healthy: count('healthy'),
        degraded: count('degraded'),
        down: count('down'),
        unknown: count('unknown'),
      };
    },
  }),
);

builder.queryField('healthRuns', (t) =>
  t.connection(
    {
      type: HealthRunRef,
      description: "A target's runs in the window, newest first; first: default 50, at most 500.",
      args: { targetId: t.arg.id({ required: true }), window: t.arg({ type: WindowEnum }) },
      resolve: async (_root, args, ctx) => {
        const view = await viewOf(ctx.services, String(args.targetId));
        const since = new Date(Date.now() - (args.window ?? 86_400_000));
        return resolveCursorConnection<Promise<RunRecord[]>>(
          { args, defaultSize: 50, maxSize: 500, toCursor: (run) => encodeKeyset({ at: run.startedAt, id: run.id }) },
          async (page) => {
            // The (targetId, startedAt) index serves the range; id only breaks ties.
            const { bounds, orderBy } = keysetPage('startedAt', page);
            const rows = await ctx.services.db.healthRun.findMany({
              where: { AND: [{ targetId: view.target.id, startedAt: { gte: since } }, ...bounds] },
              orderBy,
              take: page.limit,
            });
            return rows.map(toRun);
          },
        );
      },
    },
    { name: 'HealthRunConnection' },
    { name: 'HealthRunEdge' },
  ),
);

builder.mutationField('createHealthTarget', (t) =>
  t.field({
    type: HealthTargetRef,
    args: { input: t.arg({ type: CreateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const id = await ctx.services.configService.healthTargets.create(actorOf(ctx), validate(createHealthTargetSchema, withoutUndefined(input)));
      return viewOf(ctx.services, id);
    },
  }),
);

builder.mutationField('updateHealthTarget', (t) =>
  t.field({
    type: HealthTargetRef,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateInput, required: true }) },
    resolve: async (_root, { id, input }, ctx) => {
      await ctx.services.configService.healthTargets.update(actorOf(ctx), String(id), validate(updateHealthTargetSchema, withoutUndefined(input)));
      return viewOf(ctx.services, String(id));
    },
  }),
);

builder.mutationField('deleteHealthTarget', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.healthTargets.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);

builder.mutationField('addHealthTargetsForAllModels', (t) =>
  t.field({
    type: [HealthTargetRef],
    description: 'Adds a target with default settings for every enabled chat model that has none yet; returns the new targets.',
    resolve: async (_root, _args, ctx) => {
      const created = new Set(await ctx.services.configService.healthTargets.addForAllModels(actorOf(ctx)));
      return (await ctx.services.health.views(false)).filter((v) => created.has(v.target.id));
    },
  }),
);

builder.mutationField('runHealthCheck', (t) =>
  t.field({
    type: HealthRunRef,
    nullable: true,
    description: "Runs the target's check now (waits for it). Null while monitoring is off.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const target = await ctx.services.health.repo.target(String(id));
      if (!target) throw notFound('Health target');
      if (!ctx.services.health.enabled) throw badInput('Monitoring is off: turn it on in Settings first');
      return ctx.services.health.runNow(target);
    },
  }),
);

builder.subscriptionField('healthUpdates', (t) =>
  t.field({
    type: HealthUpdate,
    description: "Each finished health check, with the target's state after it.",
    subscribe: (_root, _args, ctx) => ctx.services.events.subscribe('healthUpdates'),
    resolve: (event) => event,
  }),
);
