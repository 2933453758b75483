import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

type Handler = (payload: unknown) => void;

interface Envelope {
  from: string;
  payload: unknown;
}

/**
 * Instance-to-instance notices over Redis pub/sub: JSON payloads tagged with
 * the sender, so an instance never acts on its own notices. Delivery is best
 * effort (pub/sub keeps nothing): a notice published while Redis is away is
 * lost, which is why listeners may also resynchronise on `onReconnect`.
 */
export class InstanceMessageBus {
  readonly instanceId = randomUUID();
  private readonly handlers = new Map<string, Handler>();
  private readonly reconnectListeners = new Set<() => void>();
  private wasReady = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    subscriber.on('ready', () => {
      // ioredis resubscribes by itself; what was published meanwhile is gone.
      if (this.wasReady) for (const listener of this.reconnectListeners) listener();
      this.wasReady = true;
    });
    if (subscriber.status === 'ready') this.wasReady = true;
  }

  channel(topic: string): string {
    return `${this.prefix}${topic}`;
  }

  /** Subscribes to a topic; resolves once Redis confirmed (or failed: the subscription is retried on reconnect). */
  async on(topic: string, handler: Handler): Promise<void> {
    this.handlers.set(this.channel(topic), handler);
    await this.subscriber.subscribe(this.channel(topic)).catch(() => {});
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.add(listener);
  }

  /** Fire and forget: a failure is already reported by the connection's outage warning. */
  publish(topic: string, payload: unknown): void {
    const envelope: Envelope = { from: this.instanceId, payload };
    this.publisher.publish(this.channel(topic), JSON.stringify(envelope)).catch(() => {});
  }

  private deliver(channel: string, message: string): void {
    const handler = this.handlers.get(channel);
    if (!handler) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      return this.logger.warn({ channel }, 'ignored a malformed scale-out message');
    }
    if (envelope.from === this.instanceId) return;
    try {
      handler(envelope.payload);
    } catch (error) {
      this.logger.error({ err: error, channel }, 'scale-out message handler failed');
    }
  }
}
