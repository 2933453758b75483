import { graphql } from '$lib/graphql/generated';

export const VirtualModelsQuery = graphql(`
  query VirtualModels {
    virtualModels {
      id
      name
      managedBy
      description
      enabled
      strategy
      options {
        retries
        attemptTimeoutMs
        deadlineMs
        failureThreshold
        failureWindowMs
        cooldownMs
      }
      targets {
        id
        modelId
        priority
        weight
        state
        cooldownUntil
        model {
          id
          name
          provider {
            id
            name
          }
        }
      }
      updatedAt
      cache {
        enabled
        ttlSeconds
        shared
        clientControl
        semantic {
          enabled
          embeddingModel
          threshold
        }
      }
    }
    models(first: 500) {
      nodes {
        id
        name
        enabled
        mode
        provider {
          id
          name
        }
      }
    }
  }
`);

export const CreateVirtualModelMutation = graphql(`
  mutation CreateVirtualModel($input: CreateVirtualModelInput!) {
    createVirtualModel(input: $input) {
      id
      name
    }
  }
`);

export const UpdateVirtualModelMutation = graphql(`
  mutation UpdateVirtualModel($id: ID!, $input: UpdateVirtualModelInput!) {
    updateVirtualModel(id: $id, input: $input) {
      id
      name
      enabled
    }
  }
`);

export const DeleteVirtualModelMutation = graphql(`
  mutation DeleteVirtualModel($id: ID!) {
    deleteVirtualModel(id: $id)
  }
`);

export const TargetStateChangedSubscription = graphql(`
  subscription TargetStateChanged {
    targetStateChanged {
      modelId
      state
      cooldownUntil
    }
  }
`);
