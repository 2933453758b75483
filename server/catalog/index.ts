export { CatalogService, type CatalogClock } from './service.js';
export { CatalogIndex, type CatalogQuery } from './search-index.js';
export { matchCatalogEntry } from './match.js';
export { planPreset, presetFromEntry, type PresetChange } from './preset.js';
export { parseCatalog } from './validate.js';
export type { CatalogEntry } from './types.js';
