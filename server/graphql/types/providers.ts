import { z } from 'zod';
import { maskSecret } from '../../crypto/secret-box.js';
import { headerHints, mergeHeaders, sealHeaders } from '../../crypto/sealed-headers.js';
import { providerOptionsSchema } from '../../proxy/providers/options-schema.js';
import { PROVIDER_PRESETS, findPreset } from '../../proxy/providers/presets.js';
import { builder } from '../builder.js';
import { badInput, notFound, uniqueViolation } from '../errors.js';
import { paging, validate, withoutNullish } from '../validate.js';
import { configChanged } from '../../snapshot/config-changed.js';

const ProviderPresetType = builder.simpleObject('ProviderPreset', {
  fields: (t) => ({
    type: t.string(),
    displayName: t.string(),
    wire: t.string(),
    defaultBaseUrl: t.string(),
    auth: t.string(),
    keyOptional: t.boolean(),
  }),
});

builder.queryField('providerPresets', (t) =>
  t.field({
    type: [ProviderPresetType],
    resolve: () => PROVIDER_PRESETS.map((p) => ({ ...p, keyOptional: p.keyOptional ?? false })),
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

const headerMap = z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes'), z.string());
const providerFields = {
  name: z.string().trim().min(1, 'is required').max(100),
  type: z.string().refine((v) => findPreset(v) !== undefined, { message: 'unknown provider type (see providerPresets)' }),
  baseUrl: z.string().trim().url('must be an absolute http(s) URL').refine((v) => /^https?:\/\//.test(v), 'must use http or https'),
  apiKey: z.string().trim().max(4096).optional(),
  headers: headerMap.optional(),
  options: providerOptionsSchema.optional(),
  enabled: z.boolean().optional(),
};
const createSchema = z.object(providerFields);
const updateSchema = z
  .object(providerFields)
  .partial()
  .extend({
    apiKey: z.string().trim().max(4096).nullable().optional(),
    // null keeps the stored (write-only) value of that header
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes'), z.string().nullable()).optional(),
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
        description: "Extra headers, name → value; values are write-only. On update: the full set of names to keep; null keeps that header's stored value; omit the field to keep them all.",
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
      const data = validate(createSchema, { ...withoutNullish(input), baseUrl: input.baseUrl ?? preset?.defaultBaseUrl });
      const { secretBox, db } = ctx.services;
      try {
        const created = await db.provider.create({
          ...query,
          data: {
            name: data.name,
            type: data.type,
            baseUrl: data.baseUrl.replace(/\/+$/, ''),
            apiKeyEncrypted: data.apiKey ? secretBox.seal(data.apiKey) : null,
            apiKeyHint: data.apiKey ? maskSecret(data.apiKey) : null,
            headers: data.headers ? (sealHeaders(data.headers, secretBox) as object) : undefined,
            options: (data.options as object | undefined) ?? undefined,
            enabled: data.enabled ?? true,
          },
        });
        await configChanged(ctx.services);
        return created;
      } catch (error) {
        throw uniqueViolation(error, `A provider named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('updateProvider', (t) =>
  t.prismaField({
    type: 'Provider',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateProviderInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { apiKey, ...rest } = input;
      const data = validate(updateSchema, { ...withoutNullish(rest), ...(apiKey !== undefined ? { apiKey } : {}) });
      const { secretBox, db } = ctx.services;
      const existing = await db.provider.findUnique({ where: { id: String(id) } });
      if (!existing) throw notFound('Provider');
      let headers: object | undefined;
      if (data.headers !== undefined) {
        const merged = mergeHeaders(existing.headers, data.headers, secretBox);
        if ('unknown' in merged) throw badInput(`headers.${merged.unknown}: no stored value to keep`, `headers.${merged.unknown}`);
        headers = merged.headers;
      }
      const keyChange =
        data.apiKey === undefined
          ? {}
          : data.apiKey === null || data.apiKey === ''
            ? { apiKeyEncrypted: null, apiKeyHint: null }
            : { apiKeyEncrypted: secretBox.seal(data.apiKey), apiKeyHint: maskSecret(data.apiKey) };
      try {
        const updated = await db.provider.update({
          ...query,
          where: { id: String(id) },
          data: {
            ...(data.name !== undefined ? { name: data.name } : {}),
            ...(data.type !== undefined ? { type: data.type } : {}),
            ...(data.baseUrl !== undefined ? { baseUrl: data.baseUrl.replace(/\/+$/, '') } : {}),
            ...(headers !== undefined ? { headers } : {}),
            ...(data.options !== undefined ? { options: data.options as object } : {}),
            ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
            ...keyChange,
          },
        });
        await configChanged(ctx.services);
        return updated;
      } catch (error) {
        throw uniqueViolation(error, `A provider named "${data.name}" already exists`) ?? error;
      }
    },
  }),
);

builder.mutationField('deleteProvider', (t) =>
  t.boolean({
    description: 'Deletes the provider and its models.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const { count } = await ctx.services.db.provider.deleteMany({ where: { id: String(id) } });
      if (count === 0) throw notFound('Provider');
      await configChanged(ctx.services);
      return true;
    },
  }),
);
