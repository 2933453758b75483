import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemorySchedulerLock, type SchedulerLock } from '../../server/health/lock.js';
import { HealthScheduler, type Timers } from '../../server/health/scheduler.js';
import type { TargetSpec } from '../../server/health/types.js';
import { CHECK_DEFAULTS } from '../../server/health/check-config.js';

/** A manual clock with timers that fire only when the test advances time. */
function fakeTime() {
  let now = 0;
  let pending: { at: number; fn: () => void; id: number } | null = null;
  let ids = 0;
  const timers: Timers = {
    set: (fn, ms) => {
      pending = { at: now + ms, fn, id: ++ids };
      return ids;
    },
    clear: (id) => {
      if (pending?.id === id) pending = null;
    },
  };
  return {
    now: () => now,
    timers,
    /** Advances to `to`, firing the scheduler's timer whenever it is due. */
    async advanceTo(to: number) {
      while (pending && pending.at <= to) {
        const { at, fn } = pending;
        pending = null;
        now = at;
        fn();
        await new Promise((r) => setImmediate(r));
      }
      now = to;
    },
  };
}

const target = (id: string, intervalSeconds: number): TargetSpec => ({
  id,
  name: id,
  kind: 'model',
  modelName: id,
  enabled: true,
  intervalSeconds,
  checkPrompt: 'Say OK',
  checkConfig: CHECK_DEFAULTS,
});

const logger = pino({ level: 'silent' });

describe('health scheduler', () => {
  it('spreads first runs over the interval and keeps each target on its own phase', async () => {
    const clock = fakeTime();
    const starts: Array<[string, number]> = [];
    const randoms = [0.1, 0.5, 0.9];
    const scheduler = new HealthScheduler({
      loadTargets: async () => [target('a', 60), target('b', 60), target('c', 60)],
      check: async (t) => void starts.push([t.id, clock.now()]),
      lock: new MemorySchedulerLock(clock.now),
      logger,
      now: clock.now,
      random: () => randoms.shift() ?? 0,
      timers: clock.timers,
    });
    await scheduler.start();
    await clock.advanceTo(130_000);
    expect(starts).toEqual([
      ['a', 6_000],
      ['b', 30_000],
      ['c', 54_000],
      ['a', 66_000],
      ['b', 90_000],
      ['c', 114_000],
      ['a', 126_000],
    ]);
    await scheduler.stop();
    await clock.advanceTo(1_000_000);
    expect(starts).toHaveLength(7);
  });

  it('never runs one target twice at once: a due run is skipped while the last one is still going', async () => {
    const clock = fakeTime();
    let release!: () => void;
    let starts = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const scheduler = new HealthScheduler({
      loadTargets: async () => [target('slow', 10)],
      check: async () => {
        starts++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise<void>((r) => (release = r));
        concurrent--;
      },
      lock: new MemorySchedulerLock(clock.now),
      logger,
      now: clock.now,
      random: () => 0,
      timers: clock.timers,
    });
    await scheduler.start();
    await clock.advanceTo(35_000); // due at 0, 10 s, 20 s, 30 s: only the first one starts
    expect(starts).toBe(1);
    expect(scheduler.isChecking('slow')).toBe(true);
    release();
    await scheduler.idle();
    await clock.advanceTo(40_000);
    expect(starts).toBe(2);
    expect(maxConcurrent).toBe(1);
    release();
    await scheduler.stop();
  });

  it('schedules nothing while another holder has the lock', async () => {
    const clock = fakeTime();
    let starts = 0;
    let held = true;
    const lock: SchedulerLock = { tryAcquire: async () => !held, release: async () => {} };
    const scheduler = new HealthScheduler({
      loadTargets: async () => [target('a', 10)],
      check: async () => void starts++,
      lock,
      logger,
      now: clock.now,
      random: () => 0,
      timers: clock.timers,
      lockPeriodMs: 60_000, // the follower polls the lock every 15 s
    });
    await scheduler.start();
    await clock.advanceTo(60_000);
    expect(starts).toBe(0);
    held = false;
    await clock.advanceTo(75_000);
    expect(starts).toBe(1);
    await scheduler.stop();
  });

  it('re-reads targets every quarter lock period, so targets added through another instance get checked', async () => {
    const clock = fakeTime();
    const starts: Array<[string, number]> = [];
    let targets = [target('a', 60)];
    const scheduler = new HealthScheduler({
      loadTargets: async () => targets,
      check: async (t) => void starts.push([t.id, clock.now()]),
      lock: new MemorySchedulerLock(clock.now),
      logger,
      now: clock.now,
      random: () => 0.5,
      timers: clock.timers,
      lockPeriodMs: 40_000,
    });
    await scheduler.start();
    targets = [target('a', 60), target('b', 60)]; // created elsewhere: no reload() here
    await clock.advanceTo(60_000);
    // 'b' is found at the first tick (10 s) and first runs half an interval later.
    expect(starts).toEqual([
      ['a', 30_000],
      ['b', 40_000],
    ]);
    await scheduler.stop();
  });
});
