import type { CatalogSourceKind } from '../settings/catalog-source.js';
import type { ModelTerms } from '../core/model-terms.js';

/**
 * The catalog as the gateway uses it: one normalized entry per LiteLLM key,
 * holding only the fields a model preset and the search need.
 */
export interface CatalogEntry extends ModelTerms {
  /** The LiteLLM key, e.g. `deepseek/deepseek-chat` or `gpt-4o`. */
  key: string;
  /** `litellm_provider`, e.g. `deepseek`, `vertex_ai-anthropic_models`. */
  provider: string;
  /** chat | embedding | responses | image_generation | … ('' when the entry has none). */
  mode: string;
  supportsTools?: boolean;
  supportsVision?: boolean;
  supportsReasoning?: boolean;
}

export interface SkippedEntry {
  key: string;
  reason: string;
}

export interface ParsedCatalog {
  entries: CatalogEntry[];
  skipped: SkippedEntry[];
}

/** What the admin API reports about the stored copy and the last fetch attempt. */
export interface CatalogStatus {
  /** fetched: a copy fetched from sourceUrl; uploaded: a file the admin uploaded (sourceUrl is its name); builtin: the copy shipped with the gateway; none: no copy at all. */
  origin: 'fetched' | 'uploaded' | 'builtin' | 'none';
  /** The package the built-in copy comes from, while it is in use. */
  builtinSource: string | null;
  /** Where refreshes come from (settings/catalog-source.ts); 'default' while the admin set nothing. */
  sourceKind: CatalogSourceKind;
  /** The admin set the source (the `catalogSource` setting) rather than leaving the environment's URL. */
  sourceSet: boolean;
  /** The setting to change to fetch from elsewhere: LITELLM_CATALOG_URL, or catalogSource once the admin set one. */
  urlSetting: string;
  /** The environment's URL (LITELLM_CATALOG_URL or its default), what the `default` source fetches. */
  defaultUrl: string;
  /** What the next fetch downloads; null when the source is the built-in copy or an uploaded file. */
  configuredUrl: string | null;
  /** Where the copy in use came from (a URL, or the uploaded file's name); the next fetch's URL while none is stored. */
  sourceUrl: string;
  /** When the stored copy was fetched (or last confirmed unchanged); null before the first good fetch. */
  fetchedAt: Date | null;
  entryCount: number;
  skippedCount: number;
  lastAttemptAt: Date | null;
  /** Why the last attempt failed; null when it succeeded. */
  lastError: string | null;
  refreshing: boolean;
}

/** The fields a catalog preset sets on a model (names of Model columns). */
export const PRESET_FIELDS = [
  'contextWindow',
  'maxOutputTokens',
  'inputPrice',
  'outputPrice',
  'cacheReadPrice',
  'cacheWritePrice',
  'supportsTools',
  'supportsVision',
  'supportsReasoning',
  'unitPrices',
  'mode',
] as const;
export type PresetField = (typeof PRESET_FIELDS)[number];
/** The PRESET_FIELDS of an entry. */
export type ModelPreset = Partial<Omit<CatalogEntry, 'key' | 'provider'>>;
