import type { UnitPrices } from './unit-prices.js';

/** What a model allows and what it costs; each absent when unknown. */
export interface ModelTerms {
  contextWindow?: number;
  maxOutputTokens?: number;
  /** USD per single token. */
  inputPrice?: number;
  outputPrice?: number;
  cacheReadPrice?: number;
  cacheWritePrice?: number;
  /** Prices of images, audio, speech and rerank (core/unit-prices.ts). */
  unitPrices?: UnitPrices;
}
