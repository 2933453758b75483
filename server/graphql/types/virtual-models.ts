import { z } from 'zod';
import { DEFAULT_ROUTE_OPTIONS, routeOptions, routeOptionsSchema } from '../../snapshot/route-options.js';
import { builder } from '../builder.js';
import { badInput, notFound, uniqueViolation } from '../errors.js';
import { paging, validate, withoutNullish } from '../validate.js';
import { configChanged } from '../../snapshot/config-changed.js';

export const StrategyEnum = builder.enumType('RoutingStrategy', { values: ['LOAD_BALANCE', 'FAILOVER', 'LEAST_LATENCY'] as const });
const CircuitStateEnum = builder.enumType('CircuitState', {
  values: { CLOSED: { value: 'closed' }, OPEN: { value: 'open' }, HALF_OPEN: { value: 'half_open' } } as const,
});

const RouteOptionsType = builder.simpleObject('RouteOptions', {
  fields: (t) => ({
    retries: t.int(),
    backoffMs: t.int(),
    maxBackoffMs: t.int(),
    attemptTimeoutMs: t.int({ description: '0 = the provider timeouts only' }),
    deadlineMs: t.int(),
    failureThreshold: t.int({ description: 'Failures within failureWindowMs that open the circuit' }),
    failureWindowMs: t.int(),
    cooldownMs: t.int(),
  }),
});

builder.prismaObject('VirtualModelTarget', {
  fields: (t) => ({
    id: t.exposeID('id'),
    modelId: t.exposeString('modelId'),
    model: t.relation('model'),
    weight: t.exposeInt('weight'),
    priority: t.exposeInt('priority'),
    /** Live circuit state of the target's model on this instance. */
    state: t.field({ type: CircuitStateEnum, resolve: (target, _args, ctx) => ctx.services.router.breakers.state(target.modelId).state }),
    cooldownUntil: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (target, _args, ctx) => {
        const until = ctx.services.router.breakers.state(target.modelId).cooldownUntil;
        return until === null ? null : new Date(until);
      },
    }),
  }),
});

builder.prismaObject('VirtualModel', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    strategy: t.field({ type: StrategyEnum, resolve: (vm) => vm.strategy as 'LOAD_BALANCE' | 'FAILOVER' | 'LEAST_LATENCY' }),
    options: t.field({ type: RouteOptionsType, resolve: (vm) => routeOptions(vm.options) }),
    enabled: t.exposeBoolean('enabled'),
    targets: t.relation('targets', { query: { orderBy: [{ priority: 'asc' }, { weight: 'desc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const TargetInput = builder.inputType('VirtualModelTargetInput', {
  fields: (t) => ({ modelId: t.string({ required: true }), weight: t.int(), priority: t.int() }),
});
const RouteOptionsInput = builder.inputType('RouteOptionsInput', {
  fields: (t) => Object.fromEntries(Object.keys(DEFAULT_ROUTE_OPTIONS).map((k) => [k, t.int()])) as Record<keyof typeof DEFAULT_ROUTE_OPTIONS, ReturnType<typeof t.int>>,
});
const VirtualModelInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      name: t.string({ required }),
      description: t.string(),
      strategy: t.field({ type: StrategyEnum, required }),
      targets: t.field({ type: [TargetInput], required }),
      options: t.field({ type: RouteOptionsInput }),
      enabled: t.boolean(),
    }),
  });
const CreateVirtualModelInput = VirtualModelInput('CreateVirtualModelInput', true);
const UpdateVirtualModelInput = VirtualModelInput('UpdateVirtualModelInput', false);

const nonNegative = z.number().int().min(0, 'must not be negative');
const targetSchema = z.object({
  modelId: z.string().min(1, 'is required'),
  weight: z.number().int().min(0, 'must not be negative').max(10_000).nullish(),
  priority: nonNegative.max(10_000).nullish(),
});
const fields = {
  name: z.string().trim().min(1, 'is required').max(200).regex(/^[\w.:/@-]+$/, 'may contain letters, digits and . _ - : / @ only'),
  description: z.string().max(2000).nullish(),
  strategy: z.enum(['LOAD_BALANCE', 'FAILOVER', 'LEAST_LATENCY']),
  targets: z.array(targetSchema).min(1, 'a virtual model needs at least one target').max(50),
  options: routeOptionsSchema.partial().nullish(),
  enabled: z.boolean().nullish(),
};
const createSchema = z.object(fields);
const updateSchema = z.object(fields).partial();


type TargetData = z.infer<typeof targetSchema>;

/** Targets must be real models; a route naming itself or another route (a cycle) is refused. */
async function checkTargets(ctx: { services: { db: import('../../db/client.js').Db } }, targets: TargetData[], selfName?: string) {
  const { db } = ctx.services;
  const ids = [...new Set(targets.map((t) => t.modelId))];
  const models = await db.model.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const found = new Set(models.map((m) => m.id));
  for (const [i, target] of targets.entries()) {
    if (found.has(target.modelId)) continue;
    const route = await db.virtualModel.findFirst({ where: { OR: [{ id: target.modelId }, { name: target.modelId }] } });
    if (route || target.modelId === selfName) {
      throw badInput(`targets.${i}.modelId: a virtual model cannot target itself or another virtual model (route cycle)`, `targets.${i}.modelId`);
    }
    throw badInput(`targets.${i}.modelId: no such model (was it deleted?)`, `targets.${i}.modelId`);
  }
  if (ids.length !== targets.length) throw badInput('targets: each model may appear only once', 'targets');
}

async function checkNameFree(ctx: { services: { db: import('../../db/client.js').Db } }, name: string) {
  if (await ctx.services.db.model.findUnique({ where: { name } })) {
    throw badInput(`name: "${name}" is already the name of a model`, 'name');
  }
}

const targetRows = (targets: TargetData[]) =>
  targets.map((t, i) => ({ modelId: t.modelId, weight: t.weight ?? 1, priority: t.priority ?? i }));

builder.queryField('virtualModels', (t) =>
  t.prismaField({
    type: ['VirtualModel'],
    args: { skip: t.arg.int(), take: t.arg.int() },
    resolve: (query, _root, args, ctx) => ctx.services.db.virtualModel.findMany({ ...query, ...paging(args), orderBy: { name: 'asc' } }),
  }),
);

builder.queryField('virtualModel', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.services.db.virtualModel.findUnique({ ...query, where: { id: String(id) } }),
  }),
);

builder.mutationField('createVirtualModel', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    args: { input: t.arg({ type: CreateVirtualModelInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const data = validate(createSchema, input);
      await checkNameFree(ctx, data.name);
      await checkTargets(ctx, data.targets, data.name);
      try {
        const created = await ctx.services.db.virtualModel.create({
          ...query,
          data: {
            name: data.name,
            description: data.description ?? null,
            strategy: data.strategy,
            options: withoutNullish(data.options ?? {}),
            enabled: data.enabled ?? true,
            targets: { create: targetRows(data.targets) },
          },
        });
        await configChanged(ctx.services);
        return created;
      } catch (error) {
        throw uniqueViolation(error, `A virtual model named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('updateVirtualModel', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVirtualModelInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const data = validate(updateSchema, withoutNullish(input));
      const { db } = ctx.services;
      const existing = await db.virtualModel.findUnique({ where: { id: String(id) } });
      if (!existing) throw notFound('Virtual model');
      if (data.name && data.name !== existing.name) await checkNameFree(ctx, data.name);
      if (data.targets) await checkTargets(ctx, data.targets, existing.name);
      try {
        const updated = await db.$transaction(async (tx) => {
          if (data.targets) await tx.virtualModelTarget.deleteMany({ where: { virtualModelId: existing.id } });
          return tx.virtualModel.update({
            ...query,
            where: { id: existing.id },
            data: {
              ...(data.name ? { name: data.name } : {}),
              ...(data.description !== undefined ? { description: data.description } : {}),
              ...(data.strategy ? { strategy: data.strategy } : {}),
              ...(data.options ? { options: { ...(existing.options as object | null), ...withoutNullish(data.options) } } : {}),
              ...(data.enabled !== undefined && data.enabled !== null ? { enabled: data.enabled } : {}),
              ...(data.targets ? { targets: { create: targetRows(data.targets) } } : {}),
            },
          });
        });
        await configChanged(ctx.services);
        return updated;
      } catch (error) {
        throw uniqueViolation(error, `A virtual model named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('deleteVirtualModel', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await ctx.services.db.virtualModel.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('Virtual model');
      await configChanged(ctx.services);
      return true;
    },
  }),
);

const TargetStateChanged = builder.simpleObject('TargetStateChanged', {
  fields: (t) => ({
    modelId: t.string(),
    state: t.field({ type: CircuitStateEnum }),
    cooldownUntil: t.field({ type: 'DateTime', nullable: true }),
  }),
});

builder.subscriptionField('targetStateChanged', (t) =>
  t.field({
    type: TargetStateChanged,
    description: 'Fires when a routing target is cooled down, half-opened or recovers.',
    subscribe: (_root, _args, ctx) => ctx.services.events.subscribe('targetStateChanged'),
    resolve: (event) => event,
  }),
);
