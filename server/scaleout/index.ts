import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Router } from '../routing/router-state.js';
import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { startCircuitSync } from './circuit-sync.js';
import { startConfigSync } from './config-sync.js';
import { createSharedEventTarget } from './event-target.js';
import { InstanceMessageBus } from './message-bus.js';
import { closeRedis, createRedisConnection, waitUntilReady } from '../redis/connection.js';
import { RedisSchedulerLock } from './scheduler-lock.js';

export { RedisSchedulerLock } from './scheduler-lock.js';

export interface ScaleOutOptions {
  redisUrl: string;
  /** Prefix of every Redis key and channel of this deployment, e.g. `llmgw:`. */
  prefix: string;
  logger: Logger;
}

/** How long start-up waits for Redis before going on without it (it joins when Redis comes). */
const START_WAIT_MS = 2_000;

/**
 * What several instances share over Redis besides the key limits (which own
 * their connection in server/limits): subscription events, configuration
 * changes, circuit-breaker state and the health scheduler lock. Two
 * connections serve it all: one for commands and publishing, one subscriber.
 */
export class ScaleOut {
  private readonly logger: Logger;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly bus: InstanceMessageBus;
  private readonly stops: Array<() => void> = [];
  private readonly up = { commands: false, subscriber: false };
  private gauge?: Gauge;
  /** GraphQL subscription events go through Redis to every instance's subscribers. */
  readonly eventTarget: ReturnType<typeof createSharedEventTarget>;

  constructor(private readonly options: ScaleOutOptions) {
    this.logger = options.logger.child({ component: 'scaleout' });
    const connection = (role: 'commands' | 'subscriber') =>
      createRedisConnection({
        url: options.redisUrl,
        name: `scaleout-${role}`,
        role,
        logger: this.logger,
        onAvailability: (up) => {
          this.up[role] = up;
          this.gauge?.set({ connection: role }, up ? 1 : 0);
        },
      });
    this.commands = connection('commands');
    this.subscriber = connection('subscriber');
    this.bus = new InstanceMessageBus(this.commands, this.subscriber, `${options.prefix}bus:`, this.logger);
    this.eventTarget = createSharedEventTarget(this.commands, this.subscriber, `${options.prefix}events:`);
  }

  get instanceId(): string {
    return this.bus.instanceId;
  }

  /** Whether both connections are up (shared behaviour is live). */
  get connected(): boolean {
    return this.up.commands && this.up.subscriber;
  }

  /** Starts sharing configuration changes and circuit state; call after the first snapshot load. */
  async start(parts: { snapshot: SnapshotStore; settings: SettingsStore; router: Router; metrics?: GatewayMetrics }): Promise<void> {
    if (parts.metrics) {
      this.gauge = new Gauge({
        name: 'gateway_scaleout_redis_up',
        help: 'Whether this instance reaches Redis for shared config, events, circuits and the scheduler lock (1 = up)',
        labelNames: ['connection'],
        registers: [parts.metrics.registry],
      });
      for (const role of ['commands', 'subscriber'] as const) this.gauge.set({ connection: role }, this.up[role] ? 1 : 0);
    }
    if (!(await this.ready())) this.logger.warn('Redis not reachable at start: serving alone; sharing begins when it answers');
    this.stops.push(await startConfigSync(this.bus, parts, this.logger));
    this.stops.push(await startCircuitSync(this.bus, parts.router));
  }

  /** Waits (at most timeoutMs) for both connections; false when Redis did not answer in time. */
  async ready(timeoutMs = START_WAIT_MS): Promise<boolean> {
    const ready = await Promise.all([waitUntilReady(this.commands, timeoutMs), waitUntilReady(this.subscriber, timeoutMs)]);
    return ready.every(Boolean);
  }

  /** One round trip on the commands connection; rejects at once while Redis is unreachable (no offline queue). */
  async ping(): Promise<void> {
    await this.commands.ping();
  }

  /** A lock shared by every instance of this deployment (e.g. `health-scheduler`). */
  schedulerLock(name: string): RedisSchedulerLock {
    return new RedisSchedulerLock(this.commands, `${this.options.prefix}lock:${name}`);
  }

  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    await Promise.all([closeRedis(this.subscriber), closeRedis(this.commands)]);
  }
}
