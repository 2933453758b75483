import { createVirtualKeySchema, rotateVirtualKeySchema, updateVirtualKeySchema } from '../../config-service/virtual-keys.js';
import type { KeyLimiter, KeyLimitState } from '../../limits/types.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { validate, withoutUndefined } from '../validate.js';
import { assertTeamRow, TEAM_READ, TEAM_WRITE, teamScope } from '../team-scope.js';
import type { GraphQLContext } from '../context.js';
import { EndUserLimitsInput, EndUserLimitsRef, endUserLimitsOf, ModelLimitInput, ModelLimitRef, modelLimitsList } from './teams.js';

/** A team admin's key writes stay in its team: the key must be the team's, and a new or moved key lands in it. */
async function teamKey(ctx: GraphQLContext, id: string): Promise<void> {
  if (teamScope(ctx) === null) return;
  assertTeamRow(ctx, await ctx.services.db.virtualKey.findUnique({ where: { id }, select: { teamId: true } }));
}
function inTeam<T extends { teamId?: string | null }>(ctx: GraphQLContext, input: T): T {
  const team = teamScope(ctx);
  return team === null ? input : { ...input, teamId: team };
}

export const BudgetPeriodEnum = builder.enumType('BudgetPeriod', { values: ['daily', 'monthly', 'total'] as const });

/** One read of the limit store per key and GraphQL request, shared by the fields below. */
const limitStates = new WeakMap<object, Map<string, Promise<KeyLimitState>>>();
function limitState(ctx: { services: { limits: KeyLimiter } }, key: { id: string; budgetPeriod: string | null }): Promise<KeyLimitState> {
  let byKey = limitStates.get(ctx);
  if (!byKey) limitStates.set(ctx, (byKey = new Map<string, Promise<KeyLimitState>>()));
  let state = byKey.get(key.id);
  if (!state) byKey.set(key.id, (state = ctx.services.limits.state(key)));
  return state;
}

const RateLimitState = builder.objectRef<KeyLimitState>('RateLimitState');
RateLimitState.implement({
  description: 'Live counters of a virtual key in the current one-minute window (from the limit store, not the database).',
  fields: (t) => ({
    rpmUsed: t.exposeInt('rpmUsed', { description: 'Requests admitted in the current minute.' }),
    tpmUsed: t.exposeInt('tpmUsed', { description: 'Tokens used in the current minute, in-flight estimates included.' }),
    inFlight: t.exposeInt('inFlight', { description: 'Requests running now (counted only when maxConcurrency is set).' }),
  }),
});

builder.prismaObject('VirtualKey', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    /** The first characters of the key, to recognise it; the key itself is shown only once. */
    keyPrefix: t.exposeString('keyPrefix'),
    allowedModels: t.stringList({
      nullable: true,
      description: 'null = every model',
      resolve: (k) => (Array.isArray(k.allowedModels) ? (k.allowedModels as string[]) : null),
    }),
    rpmLimit: t.exposeInt('rpmLimit', { nullable: true }),
    tpmLimit: t.exposeInt('tpmLimit', { nullable: true }),
    maxConcurrency: t.exposeInt('maxConcurrency', { nullable: true }),
    budgetUsd: t.exposeFloat('budgetUsd', { nullable: true }),
    budgetPeriod: t.field({ type: BudgetPeriodEnum, nullable: true, resolve: (k) => k.budgetPeriod as 'daily' | 'monthly' | 'total' | null }),
    spendUsd: t.exposeFloat('spendUsd', { description: 'Total spend as saved in the database (written every few seconds).' }),
    currentPeriodSpendUsd: t.float({
      description: 'Live spend in the budget period (UTC day, UTC month, or the total when the period is total or unset).',
      resolve: async (k, _args, ctx) => (await limitState(ctx, k)).periodSpendUsd,
    }),
    rateLimitState: t.field({ type: RateLimitState, resolve: (k, _args, ctx) => limitState(ctx, k) }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    logBodies: t.exposeBoolean('logBodies'),
    purpose: t.exposeString('purpose'),
    teamId: t.exposeID('teamId', { nullable: true }),
    team: t.relation('team', { nullable: true }),
    modelLimits: t.field({ type: [ModelLimitRef], description: 'RPM / TPM per model name.', resolve: (k) => modelLimitsList(k.modelLimits) }),
    endUserLimits: t.field({ type: EndUserLimitsRef, nullable: true, resolve: (k) => endUserLimitsOf(k.endUserLimits) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    rotatedAt: t.expose('rotatedAt', { type: 'DateTime', nullable: true, description: 'When the key was last rotated.' }),
    previousKeyExpiresAt: t.expose('previousKeyExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'After a rotation: the replaced key works until this time, then is refused.',
    }),
  }),
});

const KeyInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      name: t.string({ required }),
      allowedModels: t.stringList(),
      rpmLimit: t.int(),
      tpmLimit: t.int(),
      maxConcurrency: t.int(),
      budgetUsd: t.float(),
      budgetPeriod: t.field({ type: BudgetPeriodEnum }),
      expiresAt: t.field({ type: 'DateTime' }),
      enabled: t.boolean(),
      logBodies: t.boolean(),
      teamId: t.id({ description: "The owning team (a team admin's keys are always its team's)." }),
      modelLimits: t.field({ type: [ModelLimitInput] }),
      endUserLimits: t.field({ type: EndUserLimitsInput }),
    }),
  });
const CreateVirtualKeyInput = KeyInput('CreateVirtualKeyInput', true);
const UpdateVirtualKeyInput = KeyInput('UpdateVirtualKeyInput', false);

const CreatedVirtualKey = builder.objectRef<{ key: string; id: string }>('CreatedVirtualKey');
CreatedVirtualKey.implement({
  fields: (t) => ({
    /** The plaintext key. Returned here once and never again. */
    key: t.exposeString('key'),
    virtualKey: t.prismaField({
      type: 'VirtualKey',
      resolve: async (query, parent, _args, ctx) => ctx.services.db.virtualKey.findUniqueOrThrow({ ...query, where: { id: parent.id } }),
    }),
  }),
});

builder.queryField('virtualKeys', (t) =>
  t.prismaConnection(
    {
      type: 'VirtualKey',
      cursor: 'id',
      description: 'Virtual keys, newest first; first: default 50, at most 500.',
      defaultSize: 50,
      maxSize: 500,
      ...TEAM_READ,
      args: {
        includeRevoked: t.arg.boolean(),
        purpose: t.arg.string({ description: 'Only keys of this purpose: app (made by hand), monitoring, playground.' }),
      },
      resolve: (query, _root, args, ctx) =>
        ctx.services.db.virtualKey.findMany({
          ...query,
          where: {
            ...(args.includeRevoked ? {} : { revokedAt: null }),
            ...(args.purpose ? { purpose: args.purpose } : {}),
            ...(teamScope(ctx) === null ? {} : { teamId: teamScope(ctx) }),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    { name: 'VirtualKeyConnection' },
    { name: 'VirtualKeyEdge' },
  ),
);

builder.mutationField('createVirtualKey', (t) =>
  t.field({
    type: CreatedVirtualKey,
    ...TEAM_WRITE,
    args: { input: t.arg({ type: CreateVirtualKeyInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.configService.virtualKeys.create(actorOf(ctx), inTeam(ctx, validate(createVirtualKeySchema, withoutUndefined(input)))),
  }),
);

builder.mutationField('updateVirtualKey', (t) =>
  t.prismaField({
    type: 'VirtualKey',
    ...TEAM_WRITE,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVirtualKeyInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      await teamKey(ctx, String(id));
      const data = validate(updateVirtualKeySchema, withoutUndefined(input));
      await ctx.services.configService.virtualKeys.update(actorOf(ctx), String(id), data.teamId === undefined ? data : inTeam(ctx, data));
      return ctx.services.db.virtualKey.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('revokeVirtualKey', (t) =>
  t.prismaField({
    type: 'VirtualKey',
    description: 'Revokes the key at once; it stays listed with includeRevoked.',
    ...TEAM_WRITE,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      await teamKey(ctx, String(id));
      await ctx.services.configService.virtualKeys.revoke(actorOf(ctx), String(id));
      return ctx.services.db.virtualKey.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deleteVirtualKey', (t) =>
  t.boolean({
    ...TEAM_WRITE,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await teamKey(ctx, String(id));
      await ctx.services.configService.virtualKeys.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);

builder.mutationField('rotateVirtualKey', (t) =>
  t.field({
    type: CreatedVirtualKey,
    description:
      'A new key for this virtual key (returned once); the current key keeps working for gracePeriodSeconds (0: refused at once, at most 90 days), then is refused.',
    ...TEAM_WRITE,
    args: { id: t.arg.id({ required: true }), gracePeriodSeconds: t.arg.int({ required: true }) },
    resolve: async (_root, { id, gracePeriodSeconds }, ctx) => {
      await teamKey(ctx, String(id));
      return ctx.services.configService.virtualKeys.rotate(actorOf(ctx), String(id), validate(rotateVirtualKeySchema, { gracePeriodSeconds }));
    },
  }),
);
