import type { CircuitState, RoutingStrategy, VirtualModelsQuery } from '$lib/graphql/generated/graphql';

export type VirtualModelRow = VirtualModelsQuery['virtualModels'][number];
export type TargetRow = VirtualModelRow['targets'][number];
export type ModelOption = VirtualModelsQuery['models'][number];
export type { CircuitState, RoutingStrategy };

export const STRATEGIES: { value: RoutingStrategy; label: string; hint: string }[] = [
  { value: 'FAILOVER', label: 'Failover', hint: 'Always the first healthy target; the next one only when it fails.' },
  { value: 'LOAD_BALANCE', label: 'Load balance', hint: 'Spread requests over healthy targets by weight.' },
  { value: 'LEAST_LATENCY', label: 'Least latency', hint: 'The healthy target with the lowest recent latency.' },
];

export function strategyLabel(strategy: RoutingStrategy): string {
  return STRATEGIES.find((s) => s.value === strategy)?.label ?? strategy;
}

/** One target while it is edited: its position in the list is its priority. */
export interface DraftTarget {
  modelId: string;
  weight: string;
}

export const OPTION_FIELDS = [
  { key: 'retries', label: 'Retries', suffix: 'attempts', hint: 'Extra attempts after the first one.' },
  { key: 'attemptTimeoutMs', label: 'Attempt timeout', suffix: 'ms', hint: '0 = the provider timeouts only.' },
  { key: 'deadlineMs', label: 'Deadline', suffix: 'ms', hint: 'Whole request, retries included.' },
  { key: 'failureThreshold', label: 'Failure threshold', suffix: 'failures', hint: 'Failures in the window that open the circuit.' },
  { key: 'failureWindowMs', label: 'Failure window', suffix: 'ms', hint: 'At least 1000.' },
  { key: 'cooldownMs', label: 'Cooldown', suffix: 'ms', hint: 'How long an open circuit skips the target.' },
] as const;

export type OptionKey = (typeof OPTION_FIELDS)[number]['key'];
