import type { CircuitChange } from '../routing/circuit-breaker.js';
import type { Router } from '../routing/router-state.js';
import type { InstanceMessageBus } from './message-bus.js';

const TOPIC = 'circuit-changed';

function isCircuitChange(value: unknown): value is CircuitChange {
  const v = value as CircuitChange;
  return typeof v?.targetId === 'string' && ['closed', 'open', 'half_open'].includes(v.state);
}

/**
 * Shares circuit-breaker decisions: a target one instance opens (cools down)
 * or closes is opened or closed on every instance. Half-open is not shared:
 * it follows from the cool-down's end on each instance's clock.
 */
export async function startCircuitSync(bus: InstanceMessageBus, router: Router): Promise<() => void> {
  await bus.on(TOPIC, (payload) => {
    if (isCircuitChange(payload)) router.applyRemoteCircuitChange(payload);
  });
  return router.onLocalCircuitChange((change) => {
    if (change.state !== 'half_open') bus.publish(TOPIC, change);
  });
}
