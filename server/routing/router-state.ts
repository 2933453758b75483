import type { EventBus } from '../events/pubsub.js';
import { CircuitBreakers, type CircuitChange } from './circuit-breaker.js';
import { systemClock, type Clock } from './clock.js';
import { LatencyTracker } from './latency-tracker.js';

/** Routing state of one instance: circuits, latency averages, clock and randomness. */
export interface Router {
  breakers: CircuitBreakers;
  latency: LatencyTracker;
  clock: Clock;
  random: () => number;
  /** Listens to circuit changes decided on this instance (not those applied from others). */
  onLocalCircuitChange(listener: (change: CircuitChange) => void): () => void;
  /** Applies another instance's open/close decision (scale-out); not re-announced. */
  applyRemoteCircuitChange(change: CircuitChange): void;
}

export function createRouterState(events: Pick<EventBus, 'publish'>, clock: Clock = systemClock): Router {
  const localListeners = new Set<(change: CircuitChange) => void>();
  let applyingRemote = false;
  const breakers = new CircuitBreakers(clock, (change) => {
    // A remote change was already published on the (then shared) event bus by its instance.
    if (applyingRemote) return;
    events.publish('targetStateChanged', {
      modelId: change.targetId,
      state: change.state,
      cooldownUntil: change.cooldownUntil === null ? null : new Date(change.cooldownUntil),
    });
    for (const listener of localListeners) listener(change);
  });
  return {
    breakers,
    latency: new LatencyTracker(),
    clock,
    random: Math.random,
    onLocalCircuitChange(listener) {
      localListeners.add(listener);
      return () => localListeners.delete(listener);
    },
    applyRemoteCircuitChange(change) {
      applyingRemote = true;
      try {
        if (change.state === 'closed') return breakers.success(change.targetId);
        if (change.state !== 'open' || change.cooldownUntil === null) return;
        breakers.forceOpen(change.targetId, change.cooldownUntil);
      } finally {
        applyingRemote = false;
      }
    },
  };
}
