import { matchCatalogEntry } from '../../catalog/index.js';
import { importModelsSchema } from '../../config-service/models.js';
import { listUpstreamModels, ModelListError } from '../../models-import/list-upstream-models.js';
import { actorOf } from '../actor.js';
import { builder } from '../builder.js';
import { badInput, notFound } from '../errors.js';
import { validate } from '../validate.js';
import { CatalogEntryType, entryOut } from './catalog.js';

const UpstreamModelType = builder.simpleObject('UpstreamModel', {
  fields: (t) => ({
    id: t.string({ description: 'The upstream model id' }),
    displayName: t.string({ nullable: true }),
    mode: t.string({ nullable: true }),
    importedAs: t.string({ nullable: true, description: 'Public name of the model already imported for this id, if any' }),
    catalog: t.field({ type: CatalogEntryType, nullable: true, description: 'The catalog entry an import would apply' }),
  }),
});

const ImportSkipType = builder.simpleObject('ImportSkip', {
  fields: (t) => ({ name: t.string(), reason: t.string() }),
});

const ImportModelInput = builder.inputType('ImportModelInput', {
  fields: (t) => ({
    upstreamModel: t.string({ required: true }),
    name: t.string({ description: 'Public name; defaults to the upstream id' }),
    mode: t.string(),
  }),
});

const ImportResultRef = builder.objectRef<{ createdIds: string[]; existing: string[]; skipped: { name: string; reason: string }[] }>('ImportModelsResult');
ImportResultRef.implement({
  fields: (t) => ({
    created: t.prismaField({
      type: ['Model'],
      resolve: (query, root, _a, ctx) => ctx.services.db.model.findMany({ ...query, where: { id: { in: root.createdIds } }, orderBy: { name: 'asc' } }),
    }),
    existing: t.stringList({ resolve: (r) => r.existing, description: 'Names already imported from this provider (left as they are)' }),
    skipped: t.field({ type: [ImportSkipType], resolve: (r) => r.skipped }),
  }),
});

builder.queryField('upstreamModels', (t) =>
  t.field({
    type: [UpstreamModelType],
    authScopes: { admin: true },
    description: "The provider's own model list (calls the upstream with the provider's key), with what is already imported.",
    args: { providerId: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      const { snapshot, db, catalog } = ctx.services;
      const provider = snapshot.current.providersById.get(String(args.providerId));
      if (!provider) throw notFound('Provider');
      let listed;
      try {
        listed = await listUpstreamModels(provider);
      } catch (error) {
        if (error instanceof ModelListError) throw badInput(error.message);
        throw error;
      }
      const imported = await db.model.findMany({ where: { providerId: provider.id }, select: { name: true, upstreamModel: true } });
      const byUpstream = new Map(imported.map((m) => [m.upstreamModel, m.name]));
      const index = catalog.current;
      return listed.map((m) => ({
        id: m.id,
        displayName: m.displayName ?? null,
        mode: m.mode ?? null,
        importedAs: byUpstream.get(m.id) ?? null,
        catalog: index ? ((e) => (e ? entryOut(e) : null))(matchCatalogEntry(index, provider.type, m.id)) : null,
      }));
    },
  }),
);

builder.mutationField('importModels', (t) =>
  t.field({
    type: ImportResultRef,
    description: 'Create models for upstream ids of a provider, with catalog presets where one matches. Names that exist on this provider are left alone.',
    args: { providerId: t.arg.id({ required: true }), models: t.arg({ type: [ImportModelInput], required: true }) },
    resolve: (_r, args, ctx) => {
      const selections = validate(importModelsSchema, args.models);
      return ctx.services.configService.models.import(
        actorOf(ctx),
        String(args.providerId),
        selections.map((s) => ({ upstreamModel: s.upstreamModel, name: s.name ?? undefined, mode: s.mode ?? undefined })),
      );
    },
  }),
);
