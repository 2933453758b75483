import { z } from 'zod';
import { Prisma } from '../../db/generated/sqlite/index.js';
import { generateVirtualKey } from '../../keys/virtual-key-token.js';
import type { KeyLimiter, KeyLimitState } from '../../limits/types.js';
import { builder } from '../builder.js';
import { badInput, notFound } from '../errors.js';
import { paging, validate } from '../validate.js';
import { configChanged } from '../../snapshot/config-changed.js';

export const BudgetPeriodEnum = builder.enumType('BudgetPeriod', { values: ['daily', 'monthly', 'total'] as const });

/** One read of the limit store per key and GraphQL request, shared by the fields below. */
const limitStates = new WeakMap<object, Map<string, Promise<KeyLimitState>>>();
function limitState(ctx: { services: { limits: KeyLimiter } }, key: { id: string; budgetPeriod: string | null }): Promise<KeyLimitState> {
  let byKey = limitStates.get(ctx);
  if (!byKey) limitStates.set(ctx, (byKey = new Map()));
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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
  }),
});

/** Keys the gateway itself uses (health checks, the playground) are not revoked or deleted by hand. */
const SYSTEM_KEY_REFUSAL = (purpose: string) =>
  purpose === 'monitoring'
    ? 'this is the health monitoring key: turn monitoring off in Settings instead'
    : `this is a system key (${purpose}) that the gateway manages`;

const limit = z.number().int().positive('must be a positive integer').nullable().optional();
const keyFields = {
  name: z.string().trim().min(1, 'is required').max(100),
  allowedModels: z.array(z.string().min(1)).max(1000).nullable().optional(),
  rpmLimit: limit,
  tpmLimit: limit,
  maxConcurrency: limit,
  budgetUsd: z.number().positive('must be positive').nullable().optional(),
  budgetPeriod: z.enum(['daily', 'monthly', 'total']).nullable().optional(),
  expiresAt: z.date().nullable().optional(),
  enabled: z.boolean().optional(),
  logBodies: z.boolean().optional(),
};
const createSchema = z
  .object(keyFields)
  .refine((k) => !k.expiresAt || k.expiresAt.getTime() > Date.now(), { message: 'must be in the future', path: ['expiresAt'] });
const updateSchema = z.object(keyFields).partial();

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

const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

builder.queryField('virtualKeys', (t) =>
  t.prismaField({
    type: ['VirtualKey'],
    args: { includeRevoked: t.arg.boolean(), skip: t.arg.int(), take: t.arg.int() },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.virtualKey.findMany({
        ...query,
        ...paging(args),
        where: args.includeRevoked ? {} : { revokedAt: null },
        orderBy: { createdAt: 'desc' },
      }),
  }),
);

builder.mutationField('createVirtualKey', (t) =>
  t.field({
    type: CreatedVirtualKey,
    args: { input: t.arg({ type: CreateVirtualKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const data = validate(createSchema, defined(input));
      const { key, hash, prefix } = generateVirtualKey();
      const created = await ctx.services.db.virtualKey.create({
        data: { ...data, allowedModels: data.allowedModels ?? undefined, keyHash: hash, keyPrefix: prefix },
      });
      await configChanged(ctx.services);
      return { key, id: created.id };
    },
  }),
);

builder.mutationField('updateVirtualKey', (t) =>
  t.prismaField({
    type: 'VirtualKey',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVirtualKeyInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const data = validate(updateSchema, defined(input));
      const { db } = ctx.services;
      if (!(await db.virtualKey.findUnique({ where: { id: String(id) } }))) throw notFound('Virtual key');
      const { allowedModels, ...rest } = data;
      const updated = await db.virtualKey.update({
        ...query,
        where: { id: String(id) },
        data: { ...rest, ...(allowedModels !== undefined ? { allowedModels: allowedModels ?? Prisma.DbNull } : {}) },
      });
      await configChanged(ctx.services);
      return updated;
    },
  }),
);

builder.mutationField('revokeVirtualKey', (t) =>
  t.prismaField({
    type: 'VirtualKey',
    description: 'Revokes the key at once; it stays listed with includeRevoked.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const { db } = ctx.services;
      const key = await db.virtualKey.findUnique({ where: { id: String(id) } });
      if (!key) throw notFound('Virtual key');
      if (key.purpose !== 'app') throw badInput(SYSTEM_KEY_REFUSAL(key.purpose), 'id');
      const revoked = await db.virtualKey.update({ ...query, where: { id: String(id) }, data: { revokedAt: new Date(), enabled: false } });
      await configChanged(ctx.services);
      return revoked;
    },
  }),
);

builder.mutationField('deleteVirtualKey', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const key = await ctx.services.db.virtualKey.findUnique({ where: { id: String(id) }, select: { purpose: true } });
      if (key && key.purpose !== 'app') throw badInput(SYSTEM_KEY_REFUSAL(key.purpose), 'id');
      const { count } = await ctx.services.db.virtualKey.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('Virtual key');
      await configChanged(ctx.services);
      return true;
    },
  }),
);
