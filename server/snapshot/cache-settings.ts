/**
 * Response-cache settings of a virtual key or a virtual model (stored as JSON
 * in their `cache` column, read over these defaults; anything malformed is
 * ignored). See docs/CACHING.md.
 */
import { isRecord } from '../core/guards.js';
export interface CacheSettings {
  /** Cache every request of this key / model (not only those that send x-gateway-cache-ttl). */
  enabled: boolean;
  /** Entry lifetime; undefined: the instance default (CACHE_DEFAULT_TTL_SECONDS). */
  ttlSeconds?: number;
  /** Entries are shared across keys instead of scoped to the key that wrote them. */
  shared: boolean;
  /** Whether x-gateway-cache / x-gateway-cache-ttl request headers are honoured. */
  clientControl: boolean;
  /** Virtual models only: the semantic cache (nearest cached answer above a similarity threshold). */
  semantic?: SemanticCacheSettings;
}

export interface SemanticCacheSettings {
  enabled: boolean;
  /** Public name of an embedding model configured in the gateway. */
  embeddingModel: string;
  /** Cosine similarity at or above which a cached answer is served (0–1). */
  threshold: number;
}

export const DEFAULT_CACHE_SETTINGS: CacheSettings = { enabled: false, shared: false, clientControl: true };
export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;

/** Settings as an admin writes them (in the API or the config file): absent or null fields take the defaults. */
export interface CacheSettingsDraft {
  enabled: boolean;
  ttlSeconds?: number | null;
  shared?: boolean | null;
  clientControl?: boolean | null;
  semantic?: { enabled: boolean; embeddingModel: string; threshold?: number | null } | null;
}

/** What is stored in the `cache` column: every field, defaults filled, so a read needs no guessing. */
export function filledCacheSettings(input: CacheSettingsDraft): CacheSettings {
  return {
    enabled: input.enabled,
    ...(input.ttlSeconds ? { ttlSeconds: input.ttlSeconds } : {}),
    shared: input.shared ?? DEFAULT_CACHE_SETTINGS.shared,
    clientControl: input.clientControl ?? DEFAULT_CACHE_SETTINGS.clientControl,
    ...(input.semantic
      ? {
          semantic: {
            enabled: input.semantic.enabled,
            embeddingModel: input.semantic.embeddingModel,
            threshold: input.semantic.threshold ?? DEFAULT_SEMANTIC_THRESHOLD,
          },
        }
      : {}),
  };
}

/** Stored JSON → settings; undefined when nothing is stored (the defaults apply). */
export function cacheSettings(stored: unknown): CacheSettings | undefined {
  if (!isRecord(stored)) return undefined;
  const out: CacheSettings = { ...DEFAULT_CACHE_SETTINGS };
  if (typeof stored.enabled === 'boolean') out.enabled = stored.enabled;
  if (typeof stored.shared === 'boolean') out.shared = stored.shared;
  if (typeof stored.clientControl === 'boolean') out.clientControl = stored.clientControl;
  if (typeof stored.ttlSeconds === 'number' && Number.isInteger(stored.ttlSeconds) && stored.ttlSeconds > 0) out.ttlSeconds = stored.ttlSeconds;
  const semantic = stored.semantic;
  if (isRecord(semantic) && typeof semantic.embeddingModel === 'string' && semantic.embeddingModel) {
    const threshold =
      typeof semantic.threshold === 'number' && semantic.threshold > 0 && semantic.threshold <= 1 ? semantic.threshold : DEFAULT_SEMANTIC_THRESHOLD;
    out.semantic = { enabled: semantic.enabled === true, embeddingModel: semantic.embeddingModel, threshold };
  }
  return out;
}
