import { createModelSchema, updateModelSchema } from '../../config-service/models.js';
import { requestDefaultsHints } from '../../crypto/sealed-request-defaults.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { validate, withoutUndefined } from '../validate.js';

builder.prismaObject('Model', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    upstreamModel: t.exposeString('upstreamModel'),
    mode: t.exposeString('mode'),
    providerId: t.exposeID('providerId'),
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
    unitPrices: t.field({
      type: 'JSON',
      nullable: true,
      description: 'USD prices of the non-token endpoints: { image, imageBySize: { "1024x1024" | "hd/1024x1792": USD }, audioSecond, speech1kChars, search }',
      resolve: (m) => (m.unitPrices as object | null) ?? null,
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

const ModelInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      providerId: t.id({ required }),
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
      unitPrices: t.field({ type: 'JSON', description: '{ image, imageBySize, audioSecond, speech1kChars, search } in USD; null clears them.' }),
      enabled: t.boolean(),
    }),
  });
const CreateModelInput = ModelInput('CreateModelInput', true);
const UpdateModelInput = ModelInput('UpdateModelInput', false);

builder.queryField('models', (t) =>
  t.prismaConnection(
    {
      type: 'Model',
      cursor: 'id',
      description: 'Models by name; first: default 50, at most 500.',
      defaultSize: 50,
      maxSize: 500,
      args: { providerId: t.arg.id(), search: t.arg.string({ description: 'Part of the name or the upstream model id.' }) },
      resolve: (query, _root, args, ctx) => {
        // SQLite's LIKE ignores ASCII case already; PostgreSQL needs the mode.
        const contains = { contains: args.search ?? '', ...(ctx.services.dbTarget.kind === 'postgres' ? { mode: 'insensitive' as const } : {}) };
        return ctx.services.db.model.findMany({
          ...query,
          where: {
            ...(args.providerId ? { providerId: String(args.providerId) } : {}),
            ...(args.search ? { OR: [{ name: contains }, { upstreamModel: contains }] } : {}),
          },
          orderBy: { name: 'asc' },
        });
      },
    },
    { name: 'ModelConnection' },
    { name: 'ModelEdge' },
  ),
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
      const { id } = await ctx.services.configService.models.create(actorOf(ctx), validate(createModelSchema, withoutUndefined(input)));
      return ctx.services.db.model.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateModel', (t) =>
  t.prismaField({
    type: 'Model',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateModelInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      await ctx.services.configService.models.update(actorOf(ctx), String(id), validate(updateModelSchema, withoutUndefined(input)));
      return ctx.services.db.model.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deleteModel', (t) =>
  t.boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.models.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);
