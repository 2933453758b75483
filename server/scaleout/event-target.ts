import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';

type YogaEventTarget = ReturnType<typeof createRedisEventTarget>;

// Events carry Dates (e.g. a log row's createdAt); plain JSON would turn them into strings.
const DATE_TAG = '$date';
const serializer = {
  stringify(value: unknown): string {
    return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = this[key];
      return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : v;
    });
  },
  parse(text: string): unknown {
    return JSON.parse(text, (_key, v: unknown) => {
      const tagged = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[DATE_TAG] : undefined;
      return typeof tagged === 'string' && Object.keys(v as object).length === 1 ? new Date(tagged) : v;
    }) as unknown;
  },
};

/**
 * The event target behind GraphQL subscriptions when instances share Redis:
 * graphql-yoga's Redis event target, with topics under our key prefix, Dates
 * kept as Dates, and publishing that never throws (an event published while
 * Redis is away is lost; requests go on).
 */
export function createSharedEventTarget(publisher: Redis, subscriber: Redis, prefix: string): YogaEventTarget {
  // The library does not await these calls; a rejection must not become an unhandled one.
  const quietPublisher = {
    publish: (channel: string, message: string) => publisher.publish(channel, message).catch(() => 0),
  } as unknown as Redis;
  const quietSubscriber = {
    on: (event: 'message', listener: (channel: string, message: string) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch(() => 0),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(() => 0),
  } as unknown as Redis;
  const inner = createRedisEventTarget({ publishClient: quietPublisher, subscribeClient: quietSubscriber, serializer });
  const topic = (name: string) => `${prefix}${name}`;
  return {
    // Subscribers read only `event.detail`, so listeners pass through unchanged.
    addEventListener: (name, listener) => inner.addEventListener(topic(name), listener),
    removeEventListener: (name, listener) => inner.removeEventListener(topic(name), listener),
    dispatchEvent: (event) => inner.dispatchEvent(new CustomEvent(topic(event.type), { detail: event.detail as unknown })),
  };
}
