import type { CircuitInfo } from '$lib/features/virtual-models/circuits.svelte';
import type { CircuitState } from '$lib/graphql/generated/graphql';
import type { HealthData, UsageGroup } from './types';

export type HealthLevel = 'healthy' | 'degraded' | 'down' | 'idle' | 'disabled';

/** Error rates over the last hour from which a provider counts as degraded, or down. */
export const DEGRADED_ERROR_RATE = 0.05;
export const DOWN_ERROR_RATE = 0.5;

export interface TargetHealth {
  modelId: string;
  modelName: string;
  providerId: string;
  providerName: string;
  /** Virtual models routing to this model (a breaker belongs to the model, shared by its routes). */
  routes: string[];
  circuit: CircuitInfo;
}

export interface ProviderHealth {
  id: string;
  name: string;
  level: HealthLevel;
  requests: number;
  /** Failures after an upstream attempt: the provider's own. */
  errors: number;
  /** errors over the requests that reached the provider. */
  errorRate: number;
  /** Refused by the gateway before reaching the provider (key limits, model not allowed, bad requests). */
  gatewayRefusals: number;
  p95LatencyMs: number | null;
  /** Routing targets on this provider whose circuit is not closed. */
  trippedTargets: number;
  targets: number;
}

const SEVERITY: Record<CircuitState, number> = { OPEN: 0, HALF_OPEN: 1, CLOSED: 2 };

/** Every model that some virtual model routes to, once, worst circuit first. */
export function routingTargets(data: HealthData, live: (modelId: string, fetched: CircuitInfo) => CircuitInfo): TargetHealth[] {
  const byModel = new Map<string, TargetHealth>();
  for (const vm of data.virtualModels) {
    for (const target of vm.targets) {
      const known = byModel.get(target.modelId);
      if (known) {
        known.routes.push(vm.name);
        continue;
      }
      byModel.set(target.modelId, {
        modelId: target.modelId,
        modelName: target.model.name,
        providerId: target.model.provider.id,
        providerName: target.model.provider.name,
        routes: [vm.name],
        circuit: live(target.modelId, { state: target.state, cooldownUntil: target.cooldownUntil ?? null }),
      });
    }
  }
  return [...byModel.values()].sort((a, b) => SEVERITY[a.circuit.state] - SEVERITY[b.circuit.state] || a.modelName.localeCompare(b.modelName));
}

function level(enabled: boolean, requests: number, errorRate: number, tripped: number, targets: number): HealthLevel {
  if (!enabled) return 'disabled';
  if ((targets > 0 && tripped === targets) || (requests > 0 && errorRate >= DOWN_ERROR_RATE)) return 'down';
  if (tripped > 0 || (requests > 0 && errorRate >= DEGRADED_ERROR_RATE)) return 'degraded';
  return requests > 0 ? 'healthy' : 'idle';
}

/** Each provider's last hour of traffic joined with the circuits of its routing targets, worst first. */
export interface ErrorSplit {
  providerId?: string | null;
  providerErrors: number;
  gatewayRefusals: number;
  providerErrorRate: number;
}

/**
 * Each provider's last hour of traffic joined with the circuits of its routing targets, worst first.
 * Only failures after an upstream attempt count against a provider; the gateway's own refusals are shown apart.
 */
export function providerHealth(data: HealthData, lastHour: UsageGroup[], targets: TargetHealth[], split: ErrorSplit[] = []): ProviderHealth[] {
  const usage = new Map(lastHour.filter((g) => g.key).map((g) => [g.key!, g]));
  const splits = new Map(split.filter((s) => s.providerId).map((s) => [s.providerId!, s]));
  const order: Record<HealthLevel, number> = { down: 0, degraded: 1, healthy: 2, idle: 3, disabled: 4 };
  return data.providers
    .map((provider) => {
      const stats = usage.get(provider.id);
      const own = targets.filter((t) => t.providerId === provider.id);
      const tripped = own.filter((t) => t.circuit.state !== 'CLOSED').length;
      const requests = stats?.requests ?? 0;
      const ownSplit = splits.get(provider.id);
      const errorRate = ownSplit ? ownSplit.providerErrorRate : (stats?.errorRate ?? 0);
      return {
        id: provider.id,
        name: provider.name,
        level: level(provider.enabled, requests, errorRate, tripped, own.length),
        requests,
        errors: ownSplit ? ownSplit.providerErrors : (stats?.errors ?? 0),
        errorRate,
        gatewayRefusals: ownSplit?.gatewayRefusals ?? 0,
        p95LatencyMs: stats?.p95LatencyMs ?? null,
        trippedTargets: tripped,
        targets: own.length,
      };
    })
    .sort((a, b) => order[a.level] - order[b.level] || b.requests - a.requests || a.name.localeCompare(b.name));
}
