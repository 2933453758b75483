export { CatalogService, systemClock, type CatalogClock, type CatalogOptions, type RefreshOutcome } from './service.js';
export { CatalogIndex, type CatalogQuery, type CatalogPage, type Capability } from './search-index.js';
export { matchCatalogEntry, CATALOG_PROVIDERS } from './match.js';
export { planPreset, presetFromEntry, overridesOf, type PresetChange, type PresetPlan } from './preset.js';
export { parseCatalog, CatalogRejectedError, MIN_ENTRIES, MAX_PLAUSIBLE_PRICE } from './validate.js';
export * from './types.js';
