import { createVirtualModelSchema, updateVirtualModelSchema } from '../../config-service/virtual-models.js';
import { DEFAULT_ROUTE_OPTIONS, routeOptions } from '../../snapshot/route-options.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { paging, validate, withoutNullish } from '../validate.js';

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
    modelId: t.exposeID('modelId'),
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
  fields: (t) => ({ modelId: t.id({ required: true }), weight: t.int(), priority: t.int() }),
});
const RouteOptionsInput = builder.inputType('RouteOptionsInput', {
  fields: (t) =>
    Object.fromEntries(Object.keys(DEFAULT_ROUTE_OPTIONS).map((k) => [k, t.int()])) as Record<keyof typeof DEFAULT_ROUTE_OPTIONS, ReturnType<typeof t.int>>,
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
      const { id } = await ctx.services.configService.virtualModels.create(actorOf(ctx), validate(createVirtualModelSchema, input));
      return ctx.services.db.virtualModel.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateVirtualModel', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVirtualModelInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      await ctx.services.configService.virtualModels.update(actorOf(ctx), String(id), validate(updateVirtualModelSchema, withoutNullish(input)));
      return ctx.services.db.virtualModel.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deleteVirtualModel', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.virtualModels.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);

const TargetStateChanged = builder.simpleObject('TargetStateChanged', {
  fields: (t) => ({
    modelId: t.id(),
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
