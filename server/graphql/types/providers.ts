import { createProviderSchema, updateProviderSchema } from '../../config-service/providers.js';
import { headerHints } from '../../crypto/sealed-headers.js';
import { PROVIDER_PRESETS, findPreset } from '../../proxy/providers/presets.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { paging, validate, withoutNullish } from '../validate.js';

const ProviderPresetType = builder.simpleObject('ProviderPreset', {
  fields: (t) => ({
    type: t.string(),
    displayName: t.string(),
    wire: t.string(),
    defaultBaseUrl: t.string(),
    auth: t.string(),
    keyOptional: t.boolean(),
    endpoints: t.stringList({
      description:
        'Endpoints beyond text generation the preset serves: image_generations, image_edits, audio_speech, audio_transcriptions, rerank, moderations',
    }),
  }),
});

builder.queryField('providerPresets', (t) =>
  t.field({
    type: [ProviderPresetType],
    resolve: () => PROVIDER_PRESETS.map((p) => ({ ...p, keyOptional: p.keyOptional ?? false, endpoints: [...(p.endpoints ?? [])] })),
  }),
);

builder.prismaObject('Provider', {
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    baseUrl: t.exposeString('baseUrl'),
    /** Masked hint of the stored key (`sk-…a1b2`); the key itself is never returned. */
    apiKeyHint: t.exposeString('apiKeyHint', { nullable: true }),
    hasApiKey: t.boolean({ resolve: (p) => p.apiKeyEncrypted !== null }),
    headers: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Extra header names with masked hints of their values ({"X-Auth": "abc…wxyz"}); values are write-only, like the API key.',
      resolve: (p) => (p.headers === null ? null : headerHints(p.headers)),
    }),
    options: t.expose('options', { type: 'JSON', nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    models: t.relation('models'),
    modelCount: t.relationCount('models'),
  }),
});

const ProviderInput = (name: string, required: boolean) =>
  builder.inputType(name, {
    fields: (t) => ({
      name: t.string({ required }),
      type: t.string({ required }),
      baseUrl: t.string({ required: false }),
      /** Write-only. On update: omit to keep, empty string or null to remove. */
      apiKey: t.string(),
      headers: t.field({
        type: 'JSON',
        description:
          "Extra headers, name → value; values are write-only. On update: the full set of names to keep; null keeps that header's stored value; omit the field to keep them all.",
      }),
      options: t.field({ type: 'JSON' }),
      enabled: t.boolean(),
    }),
  });
const CreateProviderInput = ProviderInput('CreateProviderInput', true);
const UpdateProviderInput = ProviderInput('UpdateProviderInput', false);

builder.queryField('providers', (t) =>
  t.prismaField({
    type: ['Provider'],
    args: { skip: t.arg.int(), take: t.arg.int() },
    resolve: (query, _root, args, ctx) => ctx.services.db.provider.findMany({ ...query, ...paging(args), orderBy: { name: 'asc' } }),
  }),
);

builder.queryField('provider', (t) =>
  t.prismaField({
    type: 'Provider',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.services.db.provider.findUnique({ ...query, where: { id: String(id) } }),
  }),
);

builder.mutationField('createProvider', (t) =>
  t.prismaField({
    type: 'Provider',
    args: { input: t.arg({ type: CreateProviderInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const preset = findPreset(String(input.type ?? ''));
      const data = validate(createProviderSchema, { ...withoutNullish(input), baseUrl: input.baseUrl ?? preset?.defaultBaseUrl });
      const { id } = await ctx.services.configService.providers.create(actorOf(ctx), data);
      return ctx.services.db.provider.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField('updateProvider', (t) =>
  t.prismaField({
    type: 'Provider',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateProviderInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { apiKey, ...rest } = input;
      const data = validate(updateProviderSchema, { ...withoutNullish(rest), ...(apiKey !== undefined ? { apiKey } : {}) });
      await ctx.services.configService.providers.update(actorOf(ctx), String(id), data);
      return ctx.services.db.provider.findUniqueOrThrow({ ...query, where: { id: String(id) } });
    },
  }),
);

builder.mutationField('deleteProvider', (t) =>
  t.boolean({
    description: 'Deletes the provider and its models.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.configService.providers.delete(actorOf(ctx), String(id));
      return true;
    },
  }),
);
