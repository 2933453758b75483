import { cacheSettingsSchema } from '../../config-service/cache.js';
import { cacheSettings, DEFAULT_CACHE_SETTINGS, type CacheSettings } from '../../snapshot/cache-settings.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';
import { assertTeamRow, TEAM_WRITE, teamScope } from '../team-scope.js';
import { validate } from '../validate.js';

/**
 * Response-cache settings of virtual keys and virtual models, auto prompt
 * caching of models, and the purge (docs/CACHING.md). Kept in one file of its
 * own: the fields are added to the VirtualKey, VirtualModel and Model types
 * from here, written by their own mutations through the configuration service
 * (server/config-service/cache.ts).
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
    description: "Sets a virtual key's response cache; null restores the defaults. A team admin sets it on its team's keys.",
    ...TEAM_WRITE,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SettingsInput }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      if (teamScope(ctx) !== null) assertTeamRow(ctx, await ctx.services.db.virtualKey.findUnique({ where: { id: String(id) }, select: { teamId: true } }));
      const settings = input ? validate(cacheSettingsSchema, input) : null;
      const { id: saved } = await ctx.services.configService.cache.setVirtualKeyCache(actorOf(ctx), String(id), settings);
      return ctx.services.db.virtualKey.findUniqueOrThrow({ ...query, where: { id: saved } });
    },
  }),
);

builder.mutationField('setVirtualModelCache', (t) =>
  t.prismaField({
    type: 'VirtualModel',
    description: "Sets a virtual model's response cache (and semantic cache); null restores the defaults.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: SettingsInput }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const settings = input ? validate(cacheSettingsSchema, input) : null;
      const { id: saved } = await ctx.services.configService.cache.setVirtualModelCache(actorOf(ctx), String(id), settings);
      return ctx.services.db.virtualModel.findUniqueOrThrow({ ...query, where: { id: saved } });
    },
  }),
);

builder.mutationField('setModelAutoPromptCache', (t) =>
  t.prismaField({
    type: 'Model',
    description: 'Turns automatic Anthropic prompt-cache breakpoints on or off for a model.',
    args: { id: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: async (query, _root, { id, enabled }, ctx) => {
      const { id: saved } = await ctx.services.configService.cache.setModelAutoPromptCache(actorOf(ctx), String(id), enabled);
      return ctx.services.db.model.findUniqueOrThrow({ ...query, where: { id: saved } });
    },
  }),
);

builder.mutationField('purgeCache', (t) =>
  t.int({
    description:
      "Removes cached answers: a virtual key's (every entry it wrote, shared ones included) or a model's (by the name clients ask for). Returns how many entries went.",
    args: { keyId: t.arg.id(), model: t.arg.string() },
    resolve: async (_root, { keyId, model }, ctx) => {
      if ((keyId == null) === (model == null)) throw badInput('give either keyId or model', keyId == null ? 'keyId' : 'model');
      return ctx.services.caches.purge(keyId != null ? { kind: 'key', keyId: String(keyId) } : { kind: 'model', model: String(model) });
    },
  }),
);
