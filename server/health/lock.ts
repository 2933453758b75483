/**
 * Only one instance schedules checks. The lock expires unless renewed, so a
 * crashed holder frees it; the scheduler renews it on every tick.
 * Alone, the memory lock always succeeds; scale-out adds a Redis implementation.
 */
export interface SchedulerLock {
  /** Takes or renews the lock for ttlMs; false when another holder has it. */
  tryAcquire(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

/** The lock of a single instance: held by whoever asks, until released or expired. */
export class MemorySchedulerLock implements SchedulerLock {
  private expiresAt = 0;
  private holder: symbol | null = null;
  private readonly me = Symbol('holder');

  constructor(private readonly now: () => number = Date.now) {}

  async tryAcquire(ttlMs: number): Promise<boolean> {
    const t = this.now();
    if (this.holder && this.holder !== this.me && this.expiresAt > t) return false;
    this.holder = this.me;
    this.expiresAt = t + ttlMs;
    return true;
  }

  async release(): Promise<void> {
    if (this.holder === this.me) this.holder = null;
  }
}
