import type { Logger } from 'pino';
import type { SchedulerLock } from './lock.js';
import type { TargetSpec } from './types.js';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SchedulerDeps {
  /** Enabled targets, read at start and on reload(). */
  loadTargets(): Promise<TargetSpec[]>;
  /** Runs one check and records it. */
  check(target: TargetSpec): Promise<void>;
  lock: SchedulerLock;
  logger: Logger;
  now?: () => number;
  /** 0..1; spreads the first run of each target over its interval. */
  random?: () => number;
  timers?: Timers;
  /**
   * Takeover bound: if the scheduling instance dies, another one schedules
   * within this period. The holder renews the lock every quarter period and the
   * lock lapses three quarters after the last renewal; followers poll every
   * quarter, so the worst case is 3/4 + 1/4 of it. Default 45 s.
   */
  lockPeriodMs?: number;
}

export const DEFAULT_LOCK_PERIOD_MS = 45_000;

interface Slot {
  target: TargetSpec;
  nextAt: number;
}

/**
 * Runs each enabled target every `intervalSeconds`. A target's first run lands
 * at a random offset inside its interval and later runs keep that phase, so
 * targets do not fire in bursts. A run still going when the next one is due is
 * not doubled: the due run is skipped. Only the lock holder schedules.
 */
export class HealthScheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly running = new Map<string, Promise<void>>();
  private timer: unknown;
  private active = false;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timers: Timers;
  /** Longest sleep between ticks: lock renewal (leader) and lock poll (follower) period. */
  private readonly maxSleepMs: number;
  private readonly lockTtlMs: number;
  private targetsLoadedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.timers = deps.timers ?? realTimers;
    const period = deps.lockPeriodMs ?? DEFAULT_LOCK_PERIOD_MS;
    this.maxSleepMs = period / 4;
    this.lockTtlMs = (period * 3) / 4;
  }

  get isRunning(): boolean {
    return this.active;
  }

  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    await this.reload();
  }

  /** Stops at once: no new runs start; runs in flight finish and are recorded. */
  async stop(): Promise<void> {
    this.active = false;
    this.timers.clear(this.timer);
    this.timer = undefined;
    this.slots.clear();
    await this.deps.lock.release();
  }

  /** Waits for runs in flight (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /** Re-reads targets: new ones get a spread first run, changed intervals restart their phase. */
  async reload(): Promise<void> {
    if (!this.active) return;
    await this.refreshTargets();
    this.schedule();
  }

  /** Reads targets and updates the slots (no rescheduling). */
  private async refreshTargets(): Promise<void> {
    const targets = await this.deps.loadTargets();
    if (!this.active) return;
    const now = this.now();
    this.targetsLoadedAt = now;
    const seen = new Set<string>();
    for (const target of targets) {
      if (!target.enabled) continue;
      seen.add(target.id);
      const slot = this.slots.get(target.id);
      const intervalMs = target.intervalSeconds * 1000;
      if (slot && slot.target.intervalSeconds === target.intervalSeconds) {
        slot.target = target;
      } else {
        this.slots.set(target.id, { target, nextAt: now + Math.floor(this.random() * intervalMs) });
      }
    }
    for (const id of [...this.slots.keys()]) if (!seen.has(id)) this.slots.delete(id);
  }

  /** Runs a target now unless a run of it is in flight (then waits for that one). */
  runNow(target: TargetSpec): Promise<void> {
    return this.running.get(target.id) ?? this.launch(target);
  }

  isChecking(targetId: string): boolean {
    return this.running.has(targetId);
  }

  private launch(target: TargetSpec): Promise<void> {
    const run = this.deps
      .check(target)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, target: target.name }, 'health check could not be recorded'))
      .finally(() => this.running.delete(target.id));
    this.running.set(target.id, run);
    return run;
  }

  /** Sleeps until the next due run (at most maxSleepMs); a follower only re-checks the lock. */
  private schedule(follower = false): void {
    if (!this.active) return;
    this.timers.clear(this.timer);
    const now = this.now();
    let next = now + this.maxSleepMs;
    if (!follower) for (const slot of this.slots.values()) next = Math.min(next, slot.nextAt);
    this.timer = this.timers.set(() => void this.tick(), Math.max(0, next - now));
  }

  /** Exposed for tests driving a fake clock. */
  async tick(): Promise<void> {
    if (!this.active) return;
    const leader = await this.deps.lock.tryAcquire(this.lockTtlMs).catch(() => false);
    // Targets may be edited through any instance: re-read them once per renewal period,
    // so the holder (and a follower about to take over) schedules the current set.
    if (this.active && this.now() - this.targetsLoadedAt >= this.maxSleepMs) {
      await this.refreshTargets().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not re-read health targets'));
    }
    if (this.active && leader) {
      const now = this.now();
      for (const slot of this.slots.values()) {
        if (slot.nextAt > now) continue;
        const intervalMs = slot.target.intervalSeconds * 1000;
        // Keep the phase; after a long pause jump to the next future slot instead of catching up.
        slot.nextAt += intervalMs * Math.max(1, Math.ceil((now - slot.nextAt + 1) / intervalMs));
        if (!this.running.has(slot.target.id)) void this.launch(slot.target);
      }
    }
    this.schedule(!leader);
  }
}
