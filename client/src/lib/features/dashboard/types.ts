import type { DashboardGroupFragment, DashboardHealthQuery, DashboardMetricsFragment, DashboardUsageQuery } from '$lib/graphql/generated/graphql';

export type UsageMetrics = DashboardMetricsFragment;
export type UsageGroup = DashboardGroupFragment;
export type MinutePoint = DashboardUsageQuery['series'][number];
export type HealthData = DashboardHealthQuery;
export type RouteTarget = DashboardHealthQuery['virtualModels'][number]['targets'][number];
