import { graphql } from '$lib/graphql/generated';

export const PlaygroundOptionsQuery = graphql(`
  query PlaygroundOptions {
    models(first: 500) {
      nodes {
        id
        name
        enabled
        provider {
          id
          name
        }
      }
    }
    virtualModels {
      id
      name
      enabled
    }
    virtualKeys(first: 500) {
      nodes {
        id
        name
        keyPrefix
      }
    }
  }
`);

export const PlaygroundKeyMutation = graphql(`
  mutation PlaygroundKey {
    playgroundKey {
      key
      keyId
      name
    }
  }
`);

/** The log row of the request just sent: newest row of the key since the send. */
export const PlaygroundLogQuery = graphql(`
  query PlaygroundLog($filter: RequestLogFilter) {
    requestLogs(filter: $filter, first: 1) {
      nodes {
        id
        createdAt
        status
        requestedModel
        targetModel
        providerName
        attempts
        inputTokens
        outputTokens
        costUsd
        latencyMs
        ttftMs
        errorMessage
      }
    }
  }
`);
