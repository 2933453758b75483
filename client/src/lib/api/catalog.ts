import { graphql } from '$lib/graphql/generated';

export const CatalogSearchQuery = graphql(`
  query CatalogSearch($text: String, $provider: String, $mode: String, $capabilities: [CatalogCapability!], $skip: Int, $take: Int) {
    catalogStatus {
      ...CatalogStatusFields
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

/** What the catalog page and Settings → Catalog source say about the copy in use. */
export const CatalogStatusFields = graphql(`
  fragment CatalogStatusFields on CatalogStatus {
    origin
    builtinSource
    sourceKind
    sourceSet
    urlSetting
    defaultUrl
    configuredUrl
    sourceUrl
    fetchedAt
    entryCount
    skippedCount
    lastAttemptAt
    lastError
    refreshing
  }
`);

export const CatalogStatusQuery = graphql(`
  query CatalogStatus {
    catalogStatus {
      ...CatalogStatusFields
    }
  }
`);

export const SetCatalogSourceMutation = graphql(`
  mutation SetCatalogSource($input: CatalogSourceInput!) {
    setCatalogSource(input: $input) {
      ok
      error
      status {
        ...CatalogStatusFields
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

/**
 * Uploads a catalog file as the source (POST /admin/catalog/upload: LiteLLM's file is larger than
 * the GraphQL body limit). Resolves to the entries now in use; throws the gateway's refusal.
 */
export async function uploadCatalog(token: string | null, file: File): Promise<number> {
  const response = await fetch(`/admin/catalog/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'application/json' }, // i18n-ignore
    body: file,
  });
  const body = (await response.json().catch(() => ({}))) as { status?: { entryCount: number }; error?: { message?: string } };
  if (!response.ok || !body.status) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body.status.entryCount;
}
