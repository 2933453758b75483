import type { EventBus } from '../events/pubsub.js';
import { CircuitBreakers } from './circuit-breaker.js';
import { systemClock, type Clock } from './clock.js';
import { LatencyTracker } from './latency-tracker.js';

/** Routing state of one instance: circuits, latency averages, clock and randomness. */
export interface Router {
  breakers: CircuitBreakers;
  latency: LatencyTracker;
  clock: Clock;
  random: () => number;
}

export function createRouterState(events: EventBus, clock: Clock = systemClock): Router {
  return {
    breakers: new CircuitBreakers(clock, (change) =>
      events.publish('targetStateChanged', {
        modelId: change.targetId,
        state: change.state,
        cooldownUntil: change.cooldownUntil === null ? null : new Date(change.cooldownUntil),
      }),
    ),
    latency: new LatencyTracker(),
    clock,
    random: Math.random,
  };
}
