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

/** `eventTarget`: where events travel (default: this process; scale-out passes a Redis target). */
export function createEventBus(eventTarget?: NonNullable<Parameters<typeof createPubSub>[0]>['eventTarget']) {
  return createPubSub<GatewayEvents>({ eventTarget });
}
export type EventBus = ReturnType<typeof createEventBus>;
