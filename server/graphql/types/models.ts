import { z } from 'zod';
import { Prisma } from '../../db/generated/sqlite/index.js';
import { PRESET_FIELDS as CATALOG_PRESET_FIELDS } from '../../catalog/types.js';
import { mergeRequestDefaults, requestDefaultsHints, sealRequestDefaults } from '../../crypto/sealed-request-defaults.js';
import { builder } from '../builder.js';
import { badInput, notFound, uniqueViolation } from '../errors.js';
import { paging, validate, withoutUndefined } from '../validate.js';
import { configChanged } from '../../snapshot/config-changed.js';

builder.prismaObject('Model', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    upstreamModel: t.exposeString('upstreamModel'),
    mode: t.exposeString('mode'),
    providerId: t.exposeString('providerId'),
    provider: t.relation('provider'),
    contextWindow: t.exposeInt('contextWindow', { nullable: true }),
    maxOutputTokens: t.exposeInt('maxOutputTokens', { nullable: true }),
    inputPrice: t.exposeFloat('inputPrice', { nullable: true, description: 'USD per input token' }),
    outputPrice: t.exposeFloat('outputPrice', { nullable: true, description: 'USD per output token' }),
    cacheReadPrice: t.exposeFloat('cacheReadPrice', { nullable: true }),
    cacheWritePrice: t.exposeFloat('cacheWritePrice', { nullable: true }),
    supportsTools: t.exposeBoolean('supportsTools', { nullable: true }),
    supportsVision: t.exposeBoolean('supportsVision', { nullable: true }),
    supportsReasoning: t.exposeBoolean('supportsReasoning', { nullable: true }),
    requestDefaults: t.field({
      type: 'JSON',
      nullable: true,
      description:
        '{ body: fields added to upstream requests that lack them, headers: extra upstream header names with masked hints of their values ({"X-Auth": "abc…wxyz"}) }; header values are write-only, like provider headers.',
      resolve: (m) => (m.requestDefaults === null ? null : requestDefaultsHints(m.requestDefaults)),
    }),
    catalogKey: t.exposeString('catalogKey', { nullable: true }),
    overrides: t.stringList({
      description: 'Fields set by hand; a catalog preset keeps them unless asked to overwrite',
      resolve: (m) => (Array.isArray(m.overrides) ? m.overrides.filter((f): f is string => typeof f === 'string') : []),
    }),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes');
function requestDefaultsSchema<V extends z.ZodTypeAny>(headerValue: V) {
  return z
    .object({ body: z.record(z.string(), z.unknown()).optional(), headers: z.record(headerName, headerValue).optional() })
    .strict()
    .nullable()
    .optional();
}
const price = z.number().min(0, 'must not be negative').max(1, 'is USD per single token; 1 is already far above any real price');
const tokens = z.number().int().positive('must be a positive integer');
const modelFields = {
  providerId: z.string().min(1, 'is required'),
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(200)
    .regex(/^[\w.:/@-]+$/, 'may contain letters, digits and . _ - : / @ only'),
  upstreamModel: z.string().trim().min(1, 'is required').max(300),
  mode: z.enum(['chat', 'embedding', 'responses']).optional(),
  contextWindow: tokens.nullable().optional(),
  maxOutputTokens: tokens.nullable().optional(),
  inputPrice: price.nullable().optional(),
  outputPrice: price.nullable().optional(),
  cacheReadPrice: price.nullable().optional(),
  cacheWritePrice: price.nullable().optional(),
  supportsTools: z.boolean().nullable().optional(),
  supportsVision: z.boolean().nullable().optional(),
  supportsReasoning: z.boolean().nullable().optional(),
  requestDefaults: requestDefaultsSchema(z.string()),
  enabled: z.boolean().optional(),
};
const createSchema = z.object(modelFields);
// In an update a header given as null keeps its stored (write-only) value.
const updateSchema = z.object({ ...modelFields, requestDefaults: requestDefaultsSchema(z.string().nullable()) }).partial();

const ModelInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      providerId: t.string({ required }),
      name: t.string({ required }),
      upstreamModel: t.string({ required }),
      mode: t.string(),
      contextWindow: t.int(),
      maxOutputTokens: t.int(),
      inputPrice: t.float(),
      outputPrice: t.float(),
      cacheReadPrice: t.float(),
      cacheWritePrice: t.float(),
      supportsTools: t.boolean(),
      supportsVision: t.boolean(),
      supportsReasoning: t.boolean(),
      requestDefaults: t.field({
        type: 'JSON',
        description:
          "{ body, headers: name → value }; header values are write-only. On update: the full set of header names to keep; null keeps that header's stored value; without `headers` every stored header is kept; null clears the defaults.",
      }),
      enabled: t.boolean(),
    }),
  });
const CreateModelInput = ModelInput('CreateModelInput', true);
const UpdateModelInput = ModelInput('UpdateModelInput', false);

/** Fields set by hand (create or update) are recorded as admin overrides, kept when a catalog preset is applied. */
const PRESET_FIELDS: readonly string[] = CATALOG_PRESET_FIELDS;

/** Equal values, tolerating the float noise of a per-1M ↔ per-token round trip. */
const sameValue = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));


builder.queryField('models', (t) =>
  t.prismaField({
    type: ['Model'],
    args: { providerId: t.arg.id(), search: t.arg.string(), skip: t.arg.int(), take: t.arg.int() },
    resolve: (query, _root, args, ctx) =>
      ctx.services.db.model.findMany({
        ...query,
        ...paging(args),
        where: {
          ...(args.providerId ? { providerId: String(args.providerId) } : {}),
          ...(args.search ? { name: { contains: args.search } } : {}),
        },
        orderBy: { name: 'asc' },
      }),
  }),
);

builder.queryField('model', (t) =>
  t.prismaField({
    type: 'Model',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.services.db.model.findUnique({ ...query, where: { id: String(id) } }),
  }),
);

builder.mutationField('createModel', (t) =>
  t.prismaField({
    type: 'Model',
    args: { input: t.arg({ type: CreateModelInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const data = validate(createSchema, withoutUndefined(input));
      const { db } = ctx.services;
      if (!(await db.provider.findUnique({ where: { id: data.providerId } }))) throw badInput('providerId: no such provider', 'providerId');
      const overrides = PRESET_FIELDS.filter((f) => (data as Record<string, unknown>)[f] != null);
      const requestDefaults = data.requestDefaults ? (sealRequestDefaults(data.requestDefaults, ctx.services.secretBox) as object) : undefined;
      try {
        const created = await db.model.create({ ...query, data: { ...data, requestDefaults, overrides } });
        await configChanged(ctx.services);
        return created;
      } catch (error) {
        throw uniqueViolation(error, `A model named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('updateModel', (t) =>
  t.prismaField({
    type: 'Model',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateModelInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const data = validate(updateSchema, withoutUndefined(input));
      const { db } = ctx.services;
      const existing = await db.model.findUnique({ where: { id: String(id) } });
      if (!existing) throw notFound('Model');
      if (data.providerId && !(await db.provider.findUnique({ where: { id: data.providerId } }))) {
        throw badInput('providerId: no such provider', 'providerId');
      }
      const previous = Array.isArray(existing.overrides) ? (existing.overrides as string[]) : [];
      // Only values that really change count as set by hand (forms send every field back).
      const changed = PRESET_FIELDS.filter((f) => f in data && !sameValue((data as Record<string, unknown>)[f], (existing as Record<string, unknown>)[f]));
      const overrides = [...new Set([...previous, ...changed])];
      let requestDefaults: object | typeof Prisma.DbNull | undefined;
      if (data.requestDefaults === null) requestDefaults = Prisma.DbNull;
      else if (data.requestDefaults !== undefined) {
        const merged = mergeRequestDefaults(existing.requestDefaults, data.requestDefaults, ctx.services.secretBox);
        if ('unknown' in merged) {
          throw badInput(`requestDefaults.headers.${merged.unknown}: no stored value to keep`, `requestDefaults.headers.${merged.unknown}`);
        }
        requestDefaults = merged.defaults;
      }
      try {
        const updated = await db.model.update({
          ...query,
          where: { id: existing.id },
          data: {
            ...data,
            requestDefaults,
            overrides,
          },
        });
        await configChanged(ctx.services);
        return updated;
      } catch (error) {
        throw uniqueViolation(error, `A model named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('deleteModel', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await ctx.services.db.model.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('Model');
      await configChanged(ctx.services);
      return true;
    },
  }),
);
