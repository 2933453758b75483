import { graphql } from '$lib/graphql/generated';

export const HealthTargetsQuery = graphql(`
  query HealthTargets {
    healthTargets {
      id
      name
      kind
      modelName
      enabled
      intervalSeconds
      checkPrompt
      checkConfig {
        timeoutMs
        retries
        maxTokens
        expect
      }
      state
      availability1h
      availability24h
      latencyP50Ms
      latencyP95Ms
      runs24h
      lastRunAt
      recentRuns(limit: 30) {
        id
        startedAt
        status
        latencyMs
        errorType
      }
    }
    healthSummary {
      monitoringEnabled
    }
    models(first: 500) {
      nodes {
        id
        name
        enabled
        mode
      }
    }
    virtualModels {
      id
      name
      enabled
    }
  }
`);

export const CreateHealthTargetMutation = graphql(`
  mutation CreateHealthTarget($input: CreateHealthTargetInput!) {
    createHealthTarget(input: $input) {
      id
      name
    }
  }
`);

export const UpdateHealthTargetMutation = graphql(`
  mutation UpdateHealthTarget($id: ID!, $input: UpdateHealthTargetInput!) {
    updateHealthTarget(id: $id, input: $input) {
      id
      name
      enabled
    }
  }
`);

export const DeleteHealthTargetMutation = graphql(`
  mutation DeleteHealthTarget($id: ID!) {
    deleteHealthTarget(id: $id)
  }
`);

export const AddAllModelsMutation = graphql(`
  mutation AddHealthTargetsForAllModels {
    addHealthTargetsForAllModels {
      id
    }
  }
`);

export const RunHealthCheckMutation = graphql(`
  mutation RunHealthCheck($id: ID!) {
    runHealthCheck(id: $id) {
      id
      status
      latencyMs
      errorType
      errorMessage
    }
  }
`);

export const HealthUpdatesSubscription = graphql(`
  subscription HealthUpdates {
    healthUpdates {
      targetId
      targetName
      state
      previousState
      stateChanged
      run {
        id
        status
      }
    }
  }
`);
