import { z } from 'zod';
import { matchCatalogEntry, planPreset, presetFromEntry, type CatalogIndex } from '../catalog/index.js';
import { PRESET_FIELDS as CATALOG_PRESET_FIELDS } from '../catalog/types.js';
import { mergeRequestDefaults, sealRequestDefaults } from '../crypto/sealed-request-defaults.js';
import { dbNull, type Db, type DbNullValue } from '../db/client.js';
import { importModels, type ImportSelection } from '../models-import/import-models.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError, unique } from './errors.js';
import { deleteOne, requireRow } from './delete-one.js';
import { publicName } from './fields.js';

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
const unitPrice = z.number().min(0, 'must not be negative').max(1000, 'is USD per unit; 1000 is far above any real price');
const IMAGE_SIZE_KEY = /^(\w+\/)?\d+x\d+$/;
/** core/unit-prices.ts: USD per image (by "quality/size" or "size"), per second of audio, per 1000 speech characters, per search. */
const unitPricesSchema = z
  .object({
    image: unitPrice.optional(),
    imageBySize: z
      .record(z.string(), unitPrice)
      .refine((sizes) => Object.keys(sizes).every((k) => IMAGE_SIZE_KEY.test(k)), 'keys are "size" or "quality/size", e.g. "1024x1024" or "hd/1024x1792"')
      .optional(),
    audioSecond: unitPrice.optional(),
    speech1kChars: unitPrice.optional(),
    search: unitPrice.optional(),
  })
  .strict();
/** A JSON column given as null is cleared (the client's DbNull), absent is left alone. */
const jsonColumn = <T extends object>(db: Db, value: T | null | undefined): T | DbNullValue | undefined => (value === null ? dbNull(db) : value);
const fields = {
  providerId: z.string().min(1, 'is required'),
  name: publicName,
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
  unitPrices: unitPricesSchema.nullable().optional(),
  enabled: z.boolean().optional(),
};
export const createModelSchema = z.object(fields);
// In an update a header given as null keeps its stored (write-only) value.
export const updateModelSchema = z.object({ ...fields, requestDefaults: requestDefaultsSchema(z.string().nullable()) }).partial();
export const importModelsSchema = z
  .array(z.object({ upstreamModel: z.string().trim().min(1, 'is required').max(300), name: z.string().trim().max(200).nullish(), mode: z.string().nullish() }))
  .min(1, 'select at least one model')
  .max(2000, 'import at most 2000 models at once');
export type CreateModel = z.infer<typeof createModelSchema>;
export type UpdateModel = z.infer<typeof updateModelSchema>;

/** Fields set by hand (create or update) are recorded as admin overrides, kept when a catalog preset is applied. */
const PRESET_FIELDS: readonly string[] = CATALOG_PRESET_FIELDS;

/** Equal values, tolerating the float noise of a per-1M ↔ per-token round trip. */
const sameValue = (a: unknown, b: unknown) =>
  a === b ||
  (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) ||
  // Unit prices are objects: equal when their JSON is.
  (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));

const duplicate = (name: string | undefined) => `A model named "${name}" already exists`;

export interface ModelsDeps extends EntityDeps {
  /** The LiteLLM catalog: its current copy for presets, loaded on demand for a first import. */
  catalog: { readonly current: CatalogIndex | null; ensureLoaded(): Promise<CatalogIndex | null> };
}

/** Models of providers: overrides recorded, request-default headers sealed, catalog presets and bulk imports. */
export function modelsConfig(deps: ModelsDeps) {
  const { db, secretBox, catalog } = deps;

  async function requireProvider(id: string) {
    if (!(await db.provider.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigInputError('providerId: no such provider', 'providerId');
  }

  /** The entry for a model: the chosen key, else the automatic match by provider type and upstream id. */
  function entryFor(model: { upstreamModel: string; provider: { type: string } }, catalogKey: string | null | undefined) {
    const index = catalog.current;
    if (!index) return undefined;
    if (catalogKey) {
      const chosen = index.get(catalogKey);
      if (!chosen) throw new ConfigInputError(`catalogKey: "${catalogKey}" is not in the catalog`, 'catalogKey');
      return chosen;
    }
    return matchCatalogEntry(index, model.provider.type, model.upstreamModel);
  }

  /** What applying a catalog preset would change; fields set by hand are kept unless `overwrite`. */
  async function presetPlan(modelId: string, catalogKey: string | null | undefined, overwrite: boolean) {
    const model = await db.model.findUnique({ where: { id: modelId }, include: { provider: { select: { type: true } } } });
    if (!model) throw new ConfigNotFoundError('Model');
    const entry = entryFor(model, catalogKey);
    return { model, entry, plan: entry ? planPreset(model, presetFromEntry(entry), overwrite) : null };
  }

  return {
    presetPlan,

    async create(actor: ConfigActor, data: CreateModel) {
      await requireProvider(data.providerId);
      const overrides = PRESET_FIELDS.filter((f) => (data as Record<string, unknown>)[f] != null);
      const requestDefaults = data.requestDefaults ? (sealRequestDefaults(data.requestDefaults, secretBox) as object) : undefined;
      const created = await unique(
        () => db.model.create({ data: { ...data, requestDefaults, overrides, unitPrices: jsonColumn(db, data.unitPrices) } }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'model', action: 'create', id: created.id }]);
      return created;
    },

    async update(actor: ConfigActor, id: string, data: UpdateModel) {
      const existing = await requireRow(db.model, id, 'Model');
      if (data.providerId) await requireProvider(data.providerId);
      const previous = Array.isArray(existing.overrides) ? (existing.overrides as string[]) : [];
      // Only values that really change count as set by hand (forms send every field back).
      const changed = PRESET_FIELDS.filter((f) => f in data && !sameValue((data as Record<string, unknown>)[f], (existing as Record<string, unknown>)[f]));
      const overrides = [...new Set([...previous, ...changed])];
      let requestDefaults: object | DbNullValue | undefined;
      if (data.requestDefaults === null) requestDefaults = dbNull(db);
      else if (data.requestDefaults !== undefined) {
        const merged = mergeRequestDefaults(existing.requestDefaults, data.requestDefaults, secretBox);
        if ('unknown' in merged) {
          throw new ConfigInputError(`requestDefaults.headers.${merged.unknown}: no stored value to keep`, `requestDefaults.headers.${merged.unknown}`);
        }
        requestDefaults = merged.defaults;
      }
      const updated = await unique(
        () => db.model.update({ where: { id }, data: { ...data, requestDefaults, overrides, unitPrices: jsonColumn(db, data.unitPrices) } }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'model', action: 'update', id }]);
      return updated;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'model', 'Model', db.model, id);
    },

    /** Sets a model's limits, prices and capabilities from the catalog. */
    async applyPreset(actor: ConfigActor, modelId: string, catalogKey: string | null | undefined, overwrite: boolean) {
      const { model, entry, plan } = await presetPlan(modelId, catalogKey, overwrite);
      if (!entry || !plan) {
        throw new ConfigInputError(
          catalog.current ? `No catalog entry matches "${model.upstreamModel}"; pass a catalogKey` : 'The catalog has not been fetched yet (refreshCatalog)',
          'catalogKey',
        );
      }
      const updated = await db.model.update({ where: { id: model.id }, data: { ...plan.data, overrides: plan.overrides, catalogKey: entry.key } });
      await deps.changed([{ actor, entity: 'model', action: 'update', id: model.id }]);
      return updated;
    },

    /** Creates models for upstream ids of a provider, with catalog presets where one matches; names already there are left alone. */
    async import(actor: ConfigActor, providerId: string, selections: readonly ImportSelection[]) {
      const provider = await db.provider.findUnique({ where: { id: providerId }, select: { id: true, type: true } });
      if (!provider) throw new ConfigNotFoundError('Provider');
      // First import on a fresh install: fetch the catalog once so presets apply.
      const index = await catalog.ensureLoaded();
      const outcome = await importModels(db, index, provider, selections);
      await deps.changed(outcome.createdIds.map((id) => ({ actor, entity: 'model' as const, action: 'create' as const, id })));
      return outcome;
    },
  };
}
