import type { Db } from '../db/client.js';
import { matchCatalogEntry, presetFromEntry, type CatalogIndex } from '../catalog/index.js';

export interface ImportSelection {
  upstreamModel: string;
  /** Public name; defaults to the upstream id. */
  name?: string;
  /** Kind from the provider's list, used when the catalog has no entry. */
  mode?: string;
}

export interface ImportOutcome {
  createdIds: string[];
  /** Public names that already existed on this provider (re-import is a no-op). */
  existing: string[];
  skipped: { name: string; reason: string }[];
}

/** Public names allow what createModel allows; anything else becomes a dash. */
export const publicNameFor = (upstreamModel: string) =>
  upstreamModel
    .replace(/^models\//, '')
    .replace(/[^\w.:/@-]+/g, '-')
    .slice(0, 200);

const MODES = new Set(['chat', 'embedding', 'responses']);

/**
 * Creates models for the selected upstream ids of one provider. A name that
 * already exists on this provider is left as it is (idempotent re-import); a
 * name taken by another provider is skipped with the reason. Each new model
 * gets the catalog preset its provider type and id match, when there is one.
 */
export async function importModels(
  db: Db,
  catalog: CatalogIndex | null,
  provider: { id: string; type: string },
  selections: readonly ImportSelection[],
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { createdIds: [], existing: [], skipped: [] };
  const wanted = new Map<string, ImportSelection>();
  for (const s of selections) {
    const name = (s.name?.trim() || publicNameFor(s.upstreamModel)).slice(0, 200);
    if (!s.upstreamModel.trim()) outcome.skipped.push({ name, reason: 'empty upstream model id' });
    else if (!/^[\w.:/@-]+$/.test(name)) outcome.skipped.push({ name, reason: 'name may contain letters, digits and . _ - : / @ only' });
    else if (!wanted.has(name)) wanted.set(name, s);
  }
  const taken = await db.model.findMany({
    where: { name: { in: [...wanted.keys()] } },
    select: { name: true, providerId: true, provider: { select: { name: true } } },
  });
  for (const row of taken) {
    wanted.delete(row.name);
    if (row.providerId === provider.id) outcome.existing.push(row.name);
    else outcome.skipped.push({ name: row.name, reason: `the name is already used by a model of provider "${row.provider.name}"` });
  }
  const creates = [...wanted].map(([name, s]) => {
    const entry = catalog ? matchCatalogEntry(catalog, provider.type, s.upstreamModel) : undefined;
    const preset = entry ? presetFromEntry(entry) : {};
    const mode = preset.mode ?? (s.mode && MODES.has(s.mode) ? s.mode : 'chat');
    return db.model.create({
      data: { ...preset, mode, name, upstreamModel: s.upstreamModel, providerId: provider.id, catalogKey: entry?.key ?? null, overrides: [] },
      select: { id: true },
    });
  });
  // All or nothing: a unique-name race fails the whole batch instead of leaving half of it.
  const created = creates.length ? await db.$transaction(creates) : [];
  outcome.createdIds = created.map((c) => c.id);
  return outcome;
}
