import { createPubSub } from 'graphql-yoga';
import type { ConfigChangedEvent, HealthUpdateEvent, TargetStateChangedEvent } from '../core/events.js';
import type { RequestLogRow } from '../core/request-log-row.js';

/**
 * Events pushed to GraphQL subscriptions. One bus per instance; scale-out swaps
 * the event target for Redis without changing publishers or subscribers.
 */
export type GatewayEvents = {
  configChanged: [ConfigChangedEvent];
  /** One finished request, as its log row (queued for the batch writer when published). */
  requestLogged: [RequestLogRow];
  targetStateChanged: [TargetStateChangedEvent];
  /** One finished health check, with the target's state after it. */
  healthUpdates: [HealthUpdateEvent];
  /** A user's tokens were revoked (logout, password change, deletion): their sockets close. Not a GraphQL subscription. */
  sessionsRevoked: [{ userId: string }];
};

type EventTargetOption = NonNullable<NonNullable<Parameters<typeof createPubSub>[0]>['eventTarget']>;

/** `eventTarget`: where events travel (default: this process; scale-out passes a Redis target). */
export function createEventBus(eventTarget: EventTargetOption = new EventTarget()) {
  const pubsub = createPubSub<GatewayEvents>({ eventTarget });
  return {
    ...pubsub,
    /**
     * Calls `handler` for every event of `name`, synchronously as it is published (or arrives from another
     * instance); returns the unsubscribe. For in-process consumers of per-request events: a subscription's
     * async iterator costs a promise chain per event. A handler that throws is the handler's problem: its
     * error goes to `onError`, never to the publisher.
     */
    listen<K extends keyof GatewayEvents>(name: K, handler: (payload: GatewayEvents[K][0]) => void, onError: (error: unknown) => void): () => void {
      const listener = (event: Event) => {
        try {
          handler((event as CustomEvent<GatewayEvents[K][0]>).detail);
        } catch (error) {
          onError(error);
        }
      };
      eventTarget.addEventListener(name, listener);
      return () => eventTarget.removeEventListener(name, listener);
    },
  };
}
export type EventBus = ReturnType<typeof createEventBus>;
