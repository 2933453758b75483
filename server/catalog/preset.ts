import { PRESET_FIELDS, type CatalogEntry, type ModelPreset, type PresetField } from './types.js';

/** Model modes the gateway serves; other catalog modes (image_generation, rerank, …) leave the mode alone. */
const MODEL_MODES = new Set(['chat', 'embedding', 'responses']);

/** The model fields a catalog entry provides (fields the entry does not declare are absent). */
export function presetFromEntry(entry: CatalogEntry): ModelPreset {
  const preset: ModelPreset = {};
  for (const field of PRESET_FIELDS) {
    if (field === 'mode') continue;
    const value = entry[field];
    if (value !== undefined) (preset as Record<string, unknown>)[field] = value;
  }
  if (MODEL_MODES.has(entry.mode)) preset.mode = entry.mode;
  return preset;
}

export interface PresetChange {
  field: PresetField;
  current: unknown;
  proposed: unknown;
  /** Set by hand and kept (the admin did not choose to overwrite). */
  kept: boolean;
}

export interface PresetPlan {
  changes: PresetChange[];
  /** Column values to write. */
  data: ModelPreset;
  /** The model's override list after applying. */
  overrides: string[];
}

type ModelValues = Partial<Record<PresetField, unknown>> & { overrides?: unknown };

export const overridesOf = (model: { overrides?: unknown }): string[] =>
  Array.isArray(model.overrides) ? model.overrides.filter((f): f is string => typeof f === 'string') : [];

/**
 * What applying a preset to a model changes. Fields the admin set by hand
 * (the model's `overrides`) are kept unless `overwrite`; overwritten fields
 * leave the override list, since their value now comes from the catalog.
 */
export function planPreset(model: ModelValues, preset: ModelPreset, overwrite: boolean): PresetPlan {
  const overrides = new Set(overridesOf(model));
  const changes: PresetChange[] = [];
  const data: ModelPreset = {};
  for (const field of PRESET_FIELDS) {
    const proposed = preset[field];
    const current = model[field] ?? null;
    if (proposed === undefined || sameValue(proposed, current)) continue;
    const kept = overrides.has(field) && !overwrite;
    changes.push({ field, current, proposed, kept });
    if (kept) continue;
    (data as Record<string, unknown>)[field] = proposed;
    overrides.delete(field);
  }
  return { changes, data, overrides: [...overrides] };
}

/** Unit prices are objects: equal when their JSON is. */
const sameValue = (a: unknown, b: unknown) => a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
