import { graphql } from '$lib/graphql/generated';

export const CatalogSearchQuery = graphql(`
  query CatalogSearch($text: String, $provider: String, $mode: String, $capabilities: [CatalogCapability!], $skip: Int, $take: Int) {
    catalogStatus {
      origin
      builtinSource
      urlSetting
      configuredUrl
      sourceUrl
      fetchedAt
      entryCount
      skippedCount
      lastAttemptAt
      lastError
      refreshing
    }
    catalogProviders {
      name
      count
    }
    catalogModes {
      name
      count
    }
    catalogSearch(text: $text, provider: $provider, mode: $mode, capabilities: $capabilities, skip: $skip, take: $take) {
      total
      items {
        ...CatalogEntryFields
      }
    }
  }
`);

export const CatalogEntryFields = graphql(`
  fragment CatalogEntryFields on CatalogEntry {
    key
    provider
    mode
    contextWindow
    maxOutputTokens
    inputPrice
    outputPrice
    cacheReadPrice
    cacheWritePrice
    supportsTools
    supportsVision
    supportsReasoning
  }
`);

export const RefreshCatalogMutation = graphql(`
  mutation RefreshCatalog {
    refreshCatalog {
      ok
      unchanged
      error
      status {
        entryCount
        fetchedAt
      }
    }
  }
`);

export const PresetPreviewQuery = graphql(`
  query PresetPreview($modelId: ID!, $catalogKey: String, $overwrite: Boolean) {
    presetPreview(modelId: $modelId, catalogKey: $catalogKey, overwrite: $overwrite) {
      catalogKey
      entry {
        key
        provider
      }
      changes {
        field
        current
        proposed
        kept
      }
    }
  }
`);

export const ApplyModelPresetMutation = graphql(`
  mutation ApplyModelPreset($modelId: ID!, $catalogKey: String, $overwrite: Boolean) {
    applyModelPreset(modelId: $modelId, catalogKey: $catalogKey, overwrite: $overwrite) {
      id
      name
      contextWindow
      inputPrice
      outputPrice
      catalogKey
    }
  }
`);

export const UpstreamModelsQuery = graphql(`
  query UpstreamModels($providerId: ID!) {
    upstreamModels(providerId: $providerId) {
      id
      displayName
      mode
      importedAs
      catalog {
        key
        contextWindow
        inputPrice
        outputPrice
      }
    }
  }
`);

export const ImportModelsMutation = graphql(`
  mutation ImportModels($providerId: ID!, $models: [ImportModelInput!]!) {
    importModels(providerId: $providerId, models: $models) {
      created {
        id
        name
        catalogKey
      }
      existing
      skipped {
        name
        reason
      }
    }
  }
`);
