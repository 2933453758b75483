import { graphql } from '$lib/graphql/generated';

export const SetVirtualKeyCacheMutation = graphql(`
  mutation SetVirtualKeyCache($id: ID!, $input: CacheSettingsInput) {
    setVirtualKeyCache(id: $id, input: $input) {
      id
    }
  }
`);

export const SetVirtualModelCacheMutation = graphql(`
  mutation SetVirtualModelCache($id: ID!, $input: CacheSettingsInput) {
    setVirtualModelCache(id: $id, input: $input) {
      id
    }
  }
`);

export const PurgeCacheMutation = graphql(`
  mutation PurgeCache($keyId: ID, $model: String) {
    purgeCache(keyId: $keyId, model: $model)
  }
`);

export const SetModelAutoPromptCacheMutation = graphql(`
  mutation SetModelAutoPromptCache($id: ID!, $enabled: Boolean!) {
    setModelAutoPromptCache(id: $id, enabled: $enabled) {
      id
      autoPromptCache
    }
  }
`);
