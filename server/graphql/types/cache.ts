import { z } from 'zod';
import { Prisma } from '../../db/generated/sqlite/index.js';
import { cacheSettings, DEFAULT_CACHE_SETTINGS, DEFAULT_SEMANTIC_THRESHOLD, type CacheSettings } from '../../snapshot/cache-settings.js';
import { configChanged } from '../../snapshot/config-changed.js';
import { builder } from '../builder.js';
import { badInput, notFound } from '../errors.js';
import { validate } from '../validate.js';

/**
 * Response-cache settings of virtual keys and virtual models, auto prompt
 * caching of models, and the purge (docs/CACHING.md). Kept in one file of its
 * own: the fields are added to the VirtualKey, VirtualModel and Model types
 * from here, and written by their own mutations.
 */

const SemanticSettings = builder.objectRef<NonNullable<CacheSettings['semantic']>>('SemanticCacheSettings');
SemanticSettings.implement({
  description: 'The semantic cache of a virtual model: the nearest cached answer above a similarity threshold.',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled'),
    embeddingModel: t.exposeString('embeddingModel', { description: 'A model configured in the gateway that serves /embeddings (OpenAI-compatible).' }),
    threshold: t.exposeFloat('threshold', { description: 'Cosine similarity at or above which a cached answer is served (0–1].' }),
  }),
});

const Settings = builder.objectRef<CacheSettings>('CacheSettings');
Settings.implement({
  description: 'Response cache of a virtual key or virtual model (see docs/CACHING.md).',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled', { description: 'Cache every request (not only those sending x-gateway-cache-ttl).' }),
    ttlSeconds: t.exposeInt('ttlSeconds', { nullable: true, description: 'Entry lifetime; null: the instance default (CACHE_DEFAULT_TTL_SECONDS).' }),
    shared: t.exposeBoolean('shared', { description: 'Entries are shared across keys instead of scoped to the key that wrote them.' }),
    clientControl: t.exposeBoolean('clientControl', { description: 'Whether the x-gateway-cache and x-gateway-cache-ttl request headers are honoured.' }),
    semantic: t.field({ type: SemanticSettings, nullable: true, resolve: (s) => s.semantic ?? null }),
  }),
});

const SemanticInput = builder.inputType('SemanticCacheSettingsInput', {
  fields: (t) => ({
    enabled: t.boolean({ required: true }),
    embeddingModel: t.string({ required: true }),
    threshold: t.float(),
  }),
});

const SettingsInput = builder.inputType('CacheSettingsInput', {
  fields: (t) => ({
    enabled: t.boolean({ required: true }),
    ttlSeconds: t.int(),
    shared: t.boolean(),
    clientControl: t.boolean(),
    semantic: t.field({ type: SemanticInput, description: 'Virtual models only.' }),
  }),
});

const settingsSchema = z.object({
  enabled: z.boolean(),
  ttlSeconds: z.number().int().positive('must be a positive number of seconds').max(31_536_000, 'must be at most a year').nullable().optional(),
  shared: z.boolean().nullable().optional(),
  clientControl: z.boolean().nullable().optional(),
  semantic: z
    .object({
      enabled: z.boolean(),
      embeddingModel: z.string().trim().min(1, 'is required'),
      threshold: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').nullable().optional(),
    })
    .nullable()
    .optional(),
});

/** What is stored in the `cache` column: every field, defaults filled, so a read needs no guessing. */
function stored(input: z.infer<typeof settingsSchema>, allowSemantic: boolean): CacheSettings {
  if (input.semantic && !allowSemantic) throw badInput('the semantic cache is set on virtual models, not keys', 'semantic');
  return {
    enabled: input.enabled,
    ...(input.ttlSeconds ? { ttlSeconds: input.ttlSeconds } : {}),
    shared: input.shared ?? DEFAULT_CACHE_SETTINGS.shared,
    clientControl: input.clientControl ?? DEFAULT_CACHE_SETTINGS.clientControl,
    ...(input.semantic
      ? { semantic: { enabled: input.semantic.enabled, embeddingModel: input.semantic.embeddingModel, threshold: input.semantic.threshold ?? DEFAULT_SEMANTIC_THRESHOLD } }
      : {}),
  };
}

const effective = (value: unknown): CacheSettings => cacheSettings(value) ?? DEFAULT_CACHE_SETTINGS;

builder.prismaObjectField('VirtualKey', 'cache', (t) =>
  t.field({ type: Settings, select: { cache: true }, description: 'Response cache settings (defaults when never set).', resolve: (k) => effective(k.cache) }),
);
builder.prismaObjectField('VirtualModel', 'cache', (t) =>
  t.field({ type: Settings, select: { cache: true }, description: 'Response cache settings (defaults when never set).', resolve: (m) => effective(m.cache) }),
);
builder.prismaObjectField('Model', 'autoPromptCache', (t) =>
  t.boolean({
    select: { autoPromptCache: true },
    description: 'Anthropic upstreams: add cache_control breakpoints (tools, system, last user turns; at most 4) for clients that send none.',
    resolve: (m) => m.autoPromptCache,
  }),
);

builder.mutationField('setVirtualKeyCache', (t) =>
  t.prismaField({
    type: 'VirtualKey',
    description: "Sets a virtual key's response cache; null restores the defaults.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SettingsInput }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { db } = ctx.services;
      if (!(await db.virtualKey.findUnique({ where: { id: String(id) }, select: { id: true } }))) throw notFound('Virtual key');
      const cache = input ? (stored(validate(settingsSchema, input), false) as unknown as Prisma.InputJsonValue) : Prisma.DbNull;
      const updated = await db.virtualKey.update({ ...query, where: { id: String(id) }, data: { cache } });
      await configChanged(ctx.services);
      return updated;
    },
  }),
);

builder.mutationField('setVirtualModelCache', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    description: "Sets a virtual model's response cache (and semantic cache); null restores the defaults.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SettingsInput }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const { db } = ctx.services;
      if (!(await db.virtualModel.findUnique({ where: { id: String(id) }, select: { id: true } }))) throw notFound('Virtual model');
      let cache: Prisma.InputJsonValue | typeof Prisma.DbNull = Prisma.DbNull;
      if (input) {
        const settings = stored(validate(settingsSchema, input), true);
        if (settings.semantic && !(await db.model.findUnique({ where: { name: settings.semantic.embeddingModel }, select: { id: true } }))) {
          throw badInput(`no model named "${settings.semantic.embeddingModel}"`, 'semantic.embeddingModel');
        }
        cache = settings as unknown as Prisma.InputJsonValue;
      }
      const updated = await db.virtualModel.update({ ...query, where: { id: String(id) }, data: { cache } });
      await configChanged(ctx.services);
      return updated;
    },
  }),
);

builder.mutationField('setModelAutoPromptCache', (t) =>
  t.prismaField({
    type: 'Model',
    description: 'Turns automatic Anthropic prompt-cache breakpoints on or off for a model.',
    args: { id: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: async (query, _root, { id, enabled }, ctx) => {
      const { db } = ctx.services;
      if (!(await db.model.findUnique({ where: { id: String(id) }, select: { id: true } }))) throw notFound('Model');
      const updated = await db.model.update({ ...query, where: { id: String(id) }, data: { autoPromptCache: enabled } });
      await configChanged(ctx.services);
      return updated;
    },
  }),
);

builder.mutationField('purgeCache', (t) =>
  t.int({
    description: "Removes cached answers: a virtual key's (every entry it wrote, shared ones included) or a model's (by the name clients ask for). Returns how many entries went.",
    args: { keyId: t.arg.id(), model: t.arg.string() },
    resolve: async (_root, { keyId, model }, ctx) => {
      if ((keyId == null) === (model == null)) throw badInput('give either keyId or model', keyId == null ? 'keyId' : 'model');
      return ctx.services.caches.purge(keyId != null ? { kind: 'key', keyId: String(keyId) } : { kind: 'model', model: String(model) });
    },
  }),
);
