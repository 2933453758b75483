import { tr } from '$lib/i18n';
import type { CacheSettingsInput } from '$lib/graphql/generated/graphql';

/** The cache settings as a form edits them (numbers as typed text). */
export interface CacheDraft {
  enabled: boolean;
  ttlSeconds: string;
  shared: boolean;
  clientControl: boolean;
  semanticEnabled: boolean;
  embeddingModel: string;
  threshold: string;
}

interface Stored {
  enabled: boolean;
  ttlSeconds?: number | null;
  shared: boolean;
  clientControl: boolean;
  semantic?: { enabled: boolean; embeddingModel: string; threshold: number } | null;
}

export function cacheDraft(stored: Stored | null | undefined): CacheDraft {
  return {
    enabled: stored?.enabled ?? false,
    ttlSeconds: stored?.ttlSeconds ? String(stored.ttlSeconds) : '',
    shared: stored?.shared ?? false,
    clientControl: stored?.clientControl ?? true,
    semanticEnabled: stored?.semantic?.enabled ?? false,
    embeddingModel: stored?.semantic?.embeddingModel ?? '',
    threshold: stored?.semantic ? String(stored.semantic.threshold) : '0.95',
  };
}

/** Field errors of a draft, by field; none when it can be saved. */
export function cacheErrors(draft: CacheDraft, semantic: boolean): { ttlSeconds?: string; embeddingModel?: string; threshold?: string } {
  const ttl = draft.ttlSeconds.trim();
  const out: { ttlSeconds?: string; embeddingModel?: string; threshold?: string } = {};
  if (ttl && !(Number.isInteger(Number(ttl)) && Number(ttl) > 0)) out.ttlSeconds = tr('cacheFields.ttlMustBePositive');
  if (semantic && draft.semanticEnabled) {
    if (!draft.embeddingModel) out.embeddingModel = tr('cacheFields.chooseAnEmbeddingModel');
    const t = Number(draft.threshold);
    if (!(t > 0 && t <= 1)) out.threshold = tr('cacheFields.thresholdRange');
  }
  return out;
}

/** The mutation input; semantic settings only where the form offers them (virtual models). */
export function cacheInput(draft: CacheDraft, semantic: boolean): CacheSettingsInput {
  const ttl = draft.ttlSeconds.trim();
  return {
    enabled: draft.enabled,
    ttlSeconds: ttl ? Number(ttl) : null,
    shared: draft.shared,
    clientControl: draft.clientControl,
    ...(semantic && draft.embeddingModel
      ? { semantic: { enabled: draft.semanticEnabled, embeddingModel: draft.embeddingModel, threshold: Number(draft.threshold) } }
      : {}),
  };
}
