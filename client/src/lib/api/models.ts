import { graphql } from '$lib/graphql/generated';

export const ModelsQuery = graphql(`
  query Models($providerId: ID, $search: String, $first: Int, $after: String) {
    models(providerId: $providerId, search: $search, first: $first, after: $after) {
      nodes {
        id
        name
        managedBy
        mode
        upstreamModel
        providerId
        provider {
          id
          name
          type
        }
        contextWindow
        maxOutputTokens
        inputPrice
        outputPrice
        cacheReadPrice
        cacheWritePrice
        supportsTools
        supportsVision
        supportsReasoning
        requestDefaults
        autoPromptCache
        unitPrices
        enabled
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    providers {
      id
      name
    }
  }
`);

export const CreateModelMutation = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      id
      name
    }
  }
`);

export const UpdateModelMutation = graphql(`
  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {
    updateModel(id: $id, input: $input) {
      id
      name
      enabled
    }
  }
`);

export const DeleteModelMutation = graphql(`
  mutation DeleteModel($id: ID!) {
    deleteModel(id: $id)
  }
`);
