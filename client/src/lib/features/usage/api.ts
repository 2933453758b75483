import { graphql } from '$lib/graphql/generated';

export const UsageHistoryQuery = graphql(`
  query UsageHistory($from: DateTime!, $to: DateTime!, $groupBy: UsageGroupBy!, $keyId: ID) {
    usageSummary(from: $from, to: $to, groupBy: $groupBy, keyId: $keyId) {
      total {
        requests
        errors
        inputTokens
        outputTokens
        costUsd
      }
      groups {
        key
        label
        requests
        errors
        inputTokens
        outputTokens
        costUsd
      }
    }
    virtualKeys(includeRevoked: true, first: 500) {
      nodes {
        id
        name
      }
    }
  }
`);

export const UsageSeriesQuery = graphql(`
  query UsageSeries(
    $bucket: UsageBucket!
    $from: DateTime!
    $to: DateTime!
    $keyId: ID
    $model: String
    $providerId: ID
    $teamId: ID
    $endUser: String
    $tag: String
  ) {
    usageTimeseries(
      bucket: $bucket
      from: $from
      to: $to
      keyId: $keyId
      model: $model
      providerId: $providerId
      teamId: $teamId
      endUser: $endUser
      tag: $tag
    ) {
      at
      requests
      costUsd
    }
  }
`);
