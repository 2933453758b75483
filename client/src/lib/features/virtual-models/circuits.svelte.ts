import { TargetStateChangedSubscription } from '$lib/api/virtual-models';
import { subscribe } from '$lib/graphql/subscribe';
import type { CircuitState } from './types';

export interface CircuitInfo {
  state: CircuitState;
  cooldownUntil: string | null;
}

/**
 * Live circuit state per model id. Breakers belong to models, not to routes, so
 * one event updates that model's badge in every virtual model that targets it.
 */
export class CircuitStates {
  #live = $state.raw<Record<string, CircuitInfo>>({});

  /** The live state when an event arrived since the last fetch, else what the list query returned. */
  of(modelId: string, fetched: CircuitInfo): CircuitInfo {
    return this.#live[modelId] ?? fetched;
  }

  /** A fresh list already carries the current states. */
  reset() {
    this.#live = {};
  }

  /** Subscribes to `targetStateChanged`; returns the unsubscribe function. */
  watch(): () => void {
    return subscribe(TargetStateChangedSubscription, {}, ({ targetStateChanged: event }) => {
      this.#live = { ...this.#live, [event.modelId]: { state: event.state, cooldownUntil: event.cooldownUntil ?? null } };
    });
  }
}
