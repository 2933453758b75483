import { graphql } from '$lib/graphql/generated';

export const RequestLogsQuery = graphql(`
  query RequestLogs($filter: RequestLogFilter, $first: Int, $after: String) {
    requestLogs(filter: $filter, first: $first, after: $after) {
      nodes {
        ...RequestLogRow
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const RequestLogRowFragment = graphql(`
  fragment RequestLogRow on RequestLog {
    id
    createdAt
    status
    clientApi
    stream
    requestedModel
    targetModel
    modelId
    providerName
    keyId
    keyName
    keyPrefix
    latencyMs
    ttftMs
    inputTokens
    outputTokens
    costUsd
    attempts
    errorClass
    errorMessage
    cache
  }
`);

export const RequestLogQuery = graphql(`
  query RequestLog($id: ID!) {
    requestLog(id: $id) {
      ...RequestLogRow
      providerId
      cachedTokens
      reasoningTokens
      clientIp
      userAgent
      requestBody
      responseBody
      rulesApplied
      attemptLog {
        modelId
        model
        provider
        status
        errorClass
        error
        latencyMs
      }
      upstreamRequest {
        method
        url
        headers {
          name
          value
        }
        body
      }
      cacheWriteTokens
      guardrails
      cache
      cacheKey
      costSavedUsd
    }
  }
`);

export const LogFilterOptionsQuery = graphql(`
  query LogFilterOptions {
    virtualKeys(includeRevoked: true, first: 500) {
      nodes {
        id
        name
        keyPrefix
        purpose
      }
    }
    models(first: 500) {
      nodes {
        id
        name
      }
    }
    virtualModels {
      id
      name
    }
  }
`);

export const RequestLoggedSubscription = graphql(`
  subscription RequestLogged($filter: RequestLogStreamFilter) {
    requestLogged(filter: $filter) {
      ...RequestLogRow
    }
  }
`);
