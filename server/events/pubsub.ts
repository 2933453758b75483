import { createPubSub } from 'graphql-yoga';

/**
 * Events pushed to GraphQL subscriptions. One bus per instance; scale-out swaps
 * the event target for Redis without changing publishers or subscribers.
 */
export interface ConfigChangedEvent {
  version: number;
  at: Date;
}

export type GatewayEvents = {
  configChanged: [ConfigChangedEvent];
};

export function createEventBus() {
  return createPubSub<GatewayEvents>();
}
export type EventBus = ReturnType<typeof createEventBus>;
