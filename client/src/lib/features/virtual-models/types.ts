import { tr } from '$lib/i18n';
import type { CircuitState, RoutingStrategy, VirtualModelsQuery } from '$lib/graphql/generated/graphql';

export type VirtualModelRow = VirtualModelsQuery['virtualModels'][number];
export type TargetRow = VirtualModelRow['targets'][number];
export type ModelOption = VirtualModelsQuery['models']['nodes'][number];
export type { CircuitState, RoutingStrategy };

export const STRATEGIES: { value: RoutingStrategy; label: string; hint: string }[] = [
  { value: 'FAILOVER', label: tr('virtualModelsTypes.failover'), hint: tr('virtualModelsTypes.alwaysTheFirstHealthyTarget') },
  { value: 'LOAD_BALANCE', label: tr('virtualModelsTypes.loadBalance'), hint: tr('virtualModelsTypes.spreadRequestsOverHealthyTargets') },
  { value: 'LEAST_LATENCY', label: tr('virtualModelsTypes.leastLatency'), hint: tr('virtualModelsTypes.theHealthyTargetWithThe') },
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
  { key: 'retries', label: tr('virtualModelsTypes.retries'), suffix: 'attempts', hint: tr('virtualModelsTypes.extraAttemptsAfterTheFirst') },
  { key: 'attemptTimeoutMs', label: tr('virtualModelsTypes.attemptTimeout'), suffix: 'ms', hint: '0 = the provider timeouts only.' },
  { key: 'deadlineMs', label: tr('virtualModelsTypes.deadline'), suffix: 'ms', hint: tr('virtualModelsTypes.wholeRequestRetriesIncluded') },
  { key: 'failureThreshold', label: tr('virtualModelsTypes.failureThreshold'), suffix: 'failures', hint: tr('virtualModelsTypes.failuresInTheWindowThat') },
  { key: 'failureWindowMs', label: tr('virtualModelsTypes.failureWindow'), suffix: 'ms', hint: tr('virtualModelsTypes.atLeast1000') },
  { key: 'cooldownMs', label: tr('virtualModelsTypes.cooldown'), suffix: 'ms', hint: tr('virtualModelsTypes.howLongAnOpenCircuit') },
] as const;

export type OptionKey = (typeof OPTION_FIELDS)[number]['key'];
