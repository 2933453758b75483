import type { CatalogIndex } from './search-index.js';
import type { CatalogEntry } from './types.js';

/**
 * Which `litellm_provider` values hold the prices of a gateway provider type.
 * Keys of the catalog are either `<litellm_provider>/<model>` or, for the big
 * first-party vendors, the bare model id with that provider in the entry.
 * Types without a row (vLLM, LM Studio, custom OpenAI-compatible, vendors
 * absent from the catalog) match only an exact catalog key.
 */
export const CATALOG_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  openai: ['openai'],
  'openai-responses': ['openai'],
  anthropic: ['anthropic'],
  gemini: ['gemini'],
  'azure-openai': ['azure'],
  deepseek: ['deepseek'],
  mistral: ['mistral', 'codestral'],
  groq: ['groq'],
  together: ['together_ai'],
  fireworks: ['fireworks_ai'],
  openrouter: ['openrouter'],
  xai: ['xai'],
  perplexity: ['perplexity'],
  cerebras: ['cerebras'],
  moonshot: ['moonshot'],
  zhipu: ['zai'],
  dashscope: ['dashscope'],
  minimax: ['minimax'],
  volcengine: ['volcengine'],
  'nvidia-nim': ['nvidia_nim'],
  deepinfra: ['deepinfra'],
  sambanova: ['sambanova'],
  ollama: ['ollama'],
};

/** Upstream ids as providers report them, reduced to what the catalog keys on. */
function idVariants(providerType: string, upstreamModel: string): string[] {
  const id = upstreamModel.replace(/^models\//, '');
  const variants = [id];
  if (providerType === 'ollama' && id.endsWith(':latest')) variants.push(id.slice(0, -':latest'.length));
  return variants;
}

/**
 * The catalog entry for a model of a provider type, or undefined.
 * Order: `<provider>/<id>` keys, then a bare `<id>` key whose entry belongs to
 * that provider. Types without catalog providers take an exact key equal to
 * the upstream id (e.g. `gpt-4o` or `deepseek/deepseek-chat` behind a relay).
 */
export function matchCatalogEntry(index: CatalogIndex, providerType: string, upstreamModel: string): CatalogEntry | undefined {
  const providers = CATALOG_PROVIDERS[providerType] ?? [];
  const ids = idVariants(providerType, upstreamModel);
  for (const id of ids) {
    for (const provider of providers) {
      const entry = index.get(`${provider}/${id}`);
      if (entry) return entry;
    }
    const bare = index.get(id);
    if (bare && providers.includes(bare.provider)) return bare;
  }
  if (providers.length > 0) return undefined;
  for (const id of ids) {
    const exact = index.get(id);
    if (exact) return exact;
  }
  return undefined;
}
