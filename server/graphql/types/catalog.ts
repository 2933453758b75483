import type { CatalogEntry, PresetChange } from '../../catalog/index.js';
import { PRESET_FIELDS } from '../../catalog/types.js';
import { absentAsNull } from '../../core/fields.js';
import { catalogSourceInputSchema } from '../../config-service/catalog-source.js';
import { CATALOG_SOURCE_KINDS } from '../../settings/catalog-source.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { fromZod } from '../errors.js';
import { withoutNullish } from '../validate.js';

const CatalogSourceKindEnum = builder.enumType('CatalogSourceKind', {
  description:
    'BUILTIN: only the copy shipped with the gateway; DEFAULT: LITELLM_CATALOG_URL; URL: another http(s):// or file:// address; UPLOAD: an uploaded file',
  values: Object.fromEntries(CATALOG_SOURCE_KINDS.map((kind) => [kind.toUpperCase(), { value: kind }])) as Record<
    Uppercase<(typeof CATALOG_SOURCE_KINDS)[number]>,
    { value: (typeof CATALOG_SOURCE_KINDS)[number] }
  >,
});

const CatalogSourceInput = builder.inputType('CatalogSourceInput', {
  fields: (t) => ({
    kind: t.field({ type: CatalogSourceKindEnum, required: true }),
    url: t.string({ description: 'For URL' }),
    fileName: t.string({ description: 'For UPLOAD' }),
    text: t.string({ description: "For UPLOAD: the file's text, LiteLLM's model_prices_and_context_window.json format" }),
  }),
});

const CatalogStatusType = builder.simpleObject('CatalogStatus', {
  fields: (t) => ({
    origin: t.string({
      description:
        'fetched (a copy fetched from sourceUrl) | uploaded (a file the admin uploaded; sourceUrl is its name) | builtin (the copy shipped with the gateway) | none',
    }),
    builtinSource: t.string({ nullable: true, description: 'Package the built-in copy comes from, while it is in use' }),
    sourceKind: t.field({ type: CatalogSourceKindEnum, description: 'Where refreshes come from (setCatalogSource); DEFAULT while the admin set nothing' }),
    sourceSet: t.boolean({ description: 'The admin set the source with setCatalogSource (it overrides LITELLM_CATALOG_URL)' }),
    urlSetting: t.string({
      description: 'The setting that points fetches elsewhere: LITELLM_CATALOG_URL, or catalogSource (Settings → Catalog source) once set',
    }),
    defaultUrl: t.string({ description: 'The environment URL (LITELLM_CATALOG_URL or its default) the DEFAULT source fetches' }),
    configuredUrl: t.string({ nullable: true, description: 'What the next fetch downloads; null when the source is the built-in copy or an uploaded file' }),
    sourceUrl: t.string({ description: 'Where the copy in use came from (a URL, or the uploaded file name)' }),
    fetchedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the stored copy was fetched or last confirmed unchanged' }),
    entryCount: t.int(),
    skippedCount: t.int({ description: 'Entries dropped by validation (bad types, implausible prices)' }),
    lastAttemptAt: t.field({ type: 'DateTime', nullable: true }),
    lastError: t.string({ nullable: true, description: 'Why the last fetch failed; null when it succeeded' }),
    refreshing: t.boolean(),
  }),
});

export const CatalogEntryType = builder.simpleObject('CatalogEntry', {
  fields: (t) => ({
    key: t.string(),
    provider: t.string({ description: 'litellm_provider' }),
    mode: t.string(),
    contextWindow: t.int({ nullable: true }),
    maxOutputTokens: t.int({ nullable: true }),
    inputPrice: t.float({ nullable: true, description: 'USD per input token' }),
    outputPrice: t.float({ nullable: true, description: 'USD per output token' }),
    cacheReadPrice: t.float({ nullable: true }),
    cacheWritePrice: t.float({ nullable: true }),
    supportsTools: t.boolean({ nullable: true }),
    supportsVision: t.boolean({ nullable: true }),
    supportsReasoning: t.boolean({ nullable: true }),
  }),
});

const CatalogPageType = builder.simpleObject('CatalogPage', {
  fields: (t) => ({ total: t.int(), items: t.field({ type: [CatalogEntryType] }) }),
});

const CatalogFacetType = builder.simpleObject('CatalogFacet', {
  fields: (t) => ({ name: t.string(), count: t.int() }),
});

const PresetChangeType = builder.simpleObject('PresetChange', {
  fields: (t) => ({
    field: t.string(),
    current: t.field({ type: 'JSON', nullable: true }),
    proposed: t.field({ type: 'JSON', nullable: true }),
    kept: t.boolean({ description: 'Set by hand and kept, because overwrite was not chosen' }),
  }),
});

const PresetPreviewType = builder.simpleObject('PresetPreview', {
  fields: (t) => ({
    catalogKey: t.string({ nullable: true, description: 'The matched or chosen catalog key; null when nothing matches' }),
    entry: t.field({ type: CatalogEntryType, nullable: true }),
    changes: t.field({ type: [PresetChangeType] }),
  }),
});

const CatalogRefreshType = builder.simpleObject('CatalogRefreshResult', {
  fields: (t) => ({
    ok: t.boolean(),
    unchanged: t.boolean({ description: 'The fetched copy equals the stored one' }),
    error: t.string({ nullable: true }),
    status: t.field({ type: CatalogStatusType }),
  }),
});

const CapabilityEnum = builder.enumType('CatalogCapability', { values: ['tools', 'vision', 'reasoning'] as const });

export const entryOut = (e: CatalogEntry) => ({ ...e, ...absentAsNull(e, PRESET_FIELDS) });

const EMPTY_PAGE = { total: 0, items: [] };

builder.queryField('catalogStatus', (t) => t.field({ type: CatalogStatusType, resolve: (_r, _a, ctx) => ctx.services.catalog.status() }));

builder.queryField('catalogSearch', (t) =>
  t.field({
    type: CatalogPageType,
    description: 'Search the stored LiteLLM catalog by key words, provider, mode and capabilities (all must match).',
    args: {
      text: t.arg.string(),
      provider: t.arg.string(),
      mode: t.arg.string(),
      capabilities: t.arg({ type: [CapabilityEnum] }),
      skip: t.arg.int(),
      take: t.arg.int(),
    },
    resolve: (_r, args, ctx) => {
      const index = ctx.services.catalog.current;
      if (!index) return EMPTY_PAGE;
      const page = index.search(withoutNullish(args));
      return { total: page.total, items: page.items.map(entryOut) };
    },
  }),
);

builder.queryField('catalogProviders', (t) => t.field({ type: [CatalogFacetType], resolve: (_r, _a, ctx) => ctx.services.catalog.current?.providers() ?? [] }));

builder.queryField('catalogModes', (t) => t.field({ type: [CatalogFacetType], resolve: (_r, _a, ctx) => ctx.services.catalog.current?.modes() ?? [] }));

builder.mutationField('refreshCatalog', (t) =>
  t.field({
    type: CatalogRefreshType,
    description: 'Fetch the catalog now. A failed or invalid fetch keeps the last good copy and reports why.',
    resolve: async (_r, _a, ctx) => {
      const outcome = await ctx.services.catalog.refresh();
      return { ...outcome, status: ctx.services.catalog.status() };
    },
  }),
);

builder.mutationField('setCatalogSource', (t) =>
  t.field({
    type: CatalogRefreshType,
    description: 'Set where the catalog refreshes from, then refresh from there (an uploaded file is validated and becomes the copy in use).',
    args: { input: t.arg({ type: CatalogSourceInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const parsed = catalogSourceInputSchema.safeParse(withoutNullish(input));
      if (!parsed.success) throw fromZod(parsed.error);
      await ctx.services.configService.catalogSource.update(actorOf(ctx), parsed.data);
      const outcome = await ctx.services.catalog.refresh();
      return { ...outcome, status: ctx.services.catalog.status() };
    },
  }),
);

const changeOut = (c: PresetChange) => ({ ...c, current: c.current ?? null });

builder.queryField('presetPreview', (t) =>
  t.field({
    type: PresetPreviewType,
    description: 'What applying a catalog preset to a model would change (fields set by hand are marked kept unless overwrite).',
    args: { modelId: t.arg.id({ required: true }), catalogKey: t.arg.string(), overwrite: t.arg.boolean() },
    resolve: async (_r, args, ctx) => {
      const { entry, plan } = await ctx.services.configService.models.presetPlan(String(args.modelId), args.catalogKey, args.overwrite ?? false);
      return { catalogKey: entry?.key ?? null, entry: entry ? entryOut(entry) : null, changes: plan?.changes.map(changeOut) ?? [] };
    },
  }),
);

builder.mutationField('applyModelPreset', (t) =>
  t.prismaField({
    type: 'Model',
    description: "Set a model's limits, prices and capabilities from the catalog. Fields set by hand are kept unless overwrite is true.",
    args: { modelId: t.arg.id({ required: true }), catalogKey: t.arg.string(), overwrite: t.arg.boolean() },
    resolve: async (query, _r, args, ctx) => {
      const { id } = await ctx.services.configService.models.applyPreset(actorOf(ctx), String(args.modelId), args.catalogKey, args.overwrite ?? false);
      return ctx.services.db.model.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);
