import { graphql } from '$lib/graphql/generated';

export const ProvidersQuery = graphql(`
  query Providers {
    providers {
      id
      name
      managedBy
      type
      baseUrl
      apiKeyHint
      hasApiKey
      enabled
      modelCount
      options
    }
    providerPresets {
      type
      displayName
      defaultBaseUrl
      keyOptional
      wire
    }
  }
`);

export const CreateProviderMutation = graphql(`
  mutation CreateProvider($input: CreateProviderInput!) {
    createProvider(input: $input) {
      id
      name
    }
  }
`);

export const UpdateProviderMutation = graphql(`
  mutation UpdateProvider($id: ID!, $input: UpdateProviderInput!) {
    updateProvider(id: $id, input: $input) {
      id
      name
      enabled
    }
  }
`);

export const DeleteProviderMutation = graphql(`
  mutation DeleteProvider($id: ID!) {
    deleteProvider(id: $id)
  }
`);
