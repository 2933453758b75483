import { graphql } from '$lib/graphql/generated';

/** One round trip for everything the dashboard aggregates: today, the last hour, and the minute series. */
export const DashboardUsageQuery = graphql(`
  query DashboardUsage($todayFrom: DateTime!, $hourFrom: DateTime!, $to: DateTime!, $seriesTo: DateTime!) {
    models: usageSummary(from: $todayFrom, to: $to, groupBy: MODEL) {
      total {
        ...DashboardMetrics
      }
      groups {
        ...DashboardGroup
      }
    }
    keys: usageSummary(from: $todayFrom, to: $to, groupBy: KEY) {
      groups {
        ...DashboardGroup
      }
    }
    providers: usageSummary(from: $hourFrom, to: $to, groupBy: PROVIDER) {
      groups {
        ...DashboardGroup
      }
    }
    series: usageTimeseries(bucket: MINUTE, from: $hourFrom, to: $seriesTo) {
      at
      requests
      errors
      inputTokens
      outputTokens
      p50LatencyMs
      p95LatencyMs
    }
  }
`);

export const DashboardMetricsFragment = graphql(`
  fragment DashboardMetrics on UsageMetrics {
    requests
    errors
    errorRate
    inputTokens
    outputTokens
    cachedTokens
    costUsd
    cacheHits
    costSavedUsd
    p50LatencyMs
    p95LatencyMs
  }
`);

export const DashboardGroupFragment = graphql(`
  fragment DashboardGroup on UsageGroup {
    key
    label
    ...DashboardMetrics
  }
`);

/** Configuration counts and what health is derived from: providers and the circuit of every routing target. */
export const DashboardHealthQuery = graphql(`
  query DashboardHealth {
    systemKeys: virtualKeys(includeRevoked: true, first: 500) {
      nodes {
        id
        purpose
      }
    }
    overview {
      providers
      models
      virtualKeys
      virtualModels
      users
    }
    providers {
      id
      name
      enabled
    }
    virtualModels {
      id
      name
      enabled
      targets {
        id
        modelId
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
    }
  }
`);

/** Only the fact that a request finished: the numbers come from the aggregates it triggers. */
export const DashboardRequestLoggedSubscription = graphql(`
  subscription DashboardRequestLogged {
    requestLogged {
      id
    }
  }
`);

/** Scheduled health checks, asked separately so the rest of the dashboard never depends on them. */
export const DashboardMonitoringQuery = graphql(`
  query DashboardMonitoring {
    healthSummary {
      monitoringEnabled
      targets
      healthy
      degraded
      down
      unknown
    }
  }
`);

export const DashboardHealthUpdatesSubscription = graphql(`
  subscription DashboardHealthUpdates {
    healthUpdates {
      targetId
      stateChanged
    }
  }
`);

/** Failed requests split by who refused them: providers, or the gateway itself (key, limits, bad requests). */
export const DashboardErrorSplitQuery = graphql(`
  query DashboardErrorSplit($todayFrom: DateTime!, $hourFrom: DateTime!, $to: DateTime!) {
    today: providerErrorSplit(from: $todayFrom, to: $to) {
      providerId
      requests
      providerErrors
      gatewayRefusals
    }
    hour: providerErrorSplit(from: $hourFrom, to: $to) {
      providerId
      requests
      providerErrors
      gatewayRefusals
      providerErrorRate
    }
  }
`);
