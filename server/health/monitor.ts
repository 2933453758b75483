import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events/pubsub.js';
import type { SettingsStore } from '../settings/store.js';
import type { SnapshotStore } from '../snapshot/store.js';
import { aggregate, DAY_MS } from './aggregates.js';
import { MemorySchedulerLock, type SchedulerLock } from './lock.js';
import { ensureMonitoringKey, monitoringKeyPlaintext } from './monitoring-key.js';
import { probe } from './probe.js';
import { HealthRepository } from './repository.js';
import { RetentionPruner } from '../maintenance/retention.js';
import { HealthScheduler } from './scheduler.js';
import type { HealthState, RunRecord } from '../core/health-run.js';
import type { TargetHealth, TargetSpec } from './types.js';

/** A target with its aggregates and newest runs (newest first), as the APIs read it. */
export interface TargetView {
  target: TargetSpec;
  health: TargetHealth;
  recent: RunRecord[];
}

export interface HealthMonitorDeps {
  db: Db;
  logger: Logger;
  settings: SettingsStore;
  secretBox: SecretBox;
  snapshot: SnapshotStore;
  events: EventBus;
  runRetentionDays: number;
  lock?: SchedulerLock;
  /** Scheduler takeover bound (see HealthScheduler); default 45 s. */
  lockPeriodMs?: number;
  now?: () => number;
  /** Told the monitoring key before each check, so the scrubber knows it (server/secrets). */
  onMonitoringKey?: (key: string | null) => void;
}

/** Views are recomputed at most this often unless a run or a target change invalidates them. */
const VIEW_TTL_MS = 10_000;
export const RECENT_RUNS = 60;
const SWITCH_FOLLOW_MS = 5_000;

/**
 * Health monitoring of one instance: the switch, the scheduler, the stored
 * runs and their aggregates. The scheduler needs the gateway's listening URL,
 * so it starts in attach(), after listen.
 */
export class HealthMonitor {
  readonly repo: HealthRepository;
  readonly scheduler: HealthScheduler;
  private readonly now: () => number;
  private readonly pruner: RetentionPruner;
  private gatewayUrl: string | null = null;
  private cache: { at: number; views: Promise<TargetView[]> } | null = null;
  private readonly states = new Map<string, HealthState>();
  private follower: NodeJS.Timeout | undefined;

  constructor(private readonly deps: HealthMonitorDeps) {
    this.now = deps.now ?? Date.now;
    this.repo = new HealthRepository(deps.db);
    this.scheduler = new HealthScheduler({
      loadTargets: () => this.repo.targets(true),
      check: (target) => this.check(target),
      lock: deps.lock ?? new MemorySchedulerLock(this.now),
      logger: deps.logger,
      now: this.now,
      lockPeriodMs: deps.lockPeriodMs,
    });
    this.pruner = new RetentionPruner((cutoff) => this.repo.pruneBefore(cutoff), deps.logger, 'health runs', deps.runRetentionDays, this.now);
  }

  get enabled(): boolean {
    return this.deps.settings.read().monitoringEnabled;
  }

  /** Called once the server listens; starts checks when the switch is on. */
  async attach(gatewayUrl: string): Promise<void> {
    this.gatewayUrl = gatewayUrl;
    this.pruner.start();
    if (this.enabled) await this.scheduler.start();
    // The switch may be flipped on another instance (settings synced in scale-out): follow it.
    this.follower = setInterval(() => void this.followSwitch(), SWITCH_FOLLOW_MS);
    this.follower.unref();
  }

  private async followSwitch(): Promise<void> {
    if (this.enabled && !this.scheduler.isRunning) await this.scheduler.start().catch(() => undefined);
    if (!this.enabled && this.scheduler.isRunning) await this.scheduler.stop();
  }

  /** The switch. Turning it on creates the monitoring key the first time. */
  async setEnabled(on: boolean): Promise<{ keyCreated: boolean }> {
    let keyCreated = false;
    if (on) {
      const key = await ensureMonitoringKey(this.deps.db, this.deps.settings, this.deps.secretBox);
      keyCreated = key.created;
      if (keyCreated) await this.deps.snapshot.reload();
    }
    await this.deps.settings.write('monitoringEnabled', on);
    if (on && this.gatewayUrl) await this.scheduler.start();
    if (!on) await this.scheduler.stop();
    return { keyCreated };
  }

  /** After targets were added, edited or removed. */
  async targetsChanged(): Promise<void> {
    this.cache = null;
    await this.scheduler.reload();
  }

  /** Runs one check now (admin "run now"); waits for it and returns its run. */
  async runNow(target: TargetSpec): Promise<RunRecord | null> {
    if (!this.gatewayUrl) return null;
    await this.scheduler.runNow(target);
    const { runs } = await this.repo.runsPage(target.id, new Date(0), 0, 1);
    return runs[0] ?? null;
  }

  /** Every target (or only enabled ones) with aggregates; cached briefly. */
  async views(onlyEnabled: boolean): Promise<TargetView[]> {
    const now = this.now();
    if (!this.cache || now - this.cache.at > VIEW_TTL_MS) {
      const views = this.computeViews(now);
      this.cache = { at: now, views };
      views.catch(() => (this.cache = null));
    }
    const views = await this.cache.views;
    return onlyEnabled ? views.filter((v) => v.target.enabled) : views;
  }

  private async computeViews(now: number): Promise<TargetView[]> {
    const targets = await this.repo.targets();
    const runs = await this.repo.runsSince(
      targets.map((t) => t.id),
      new Date(now - DAY_MS),
    );
    return targets.map((target) => {
      const list = runs.get(target.id) ?? [];
      return { target, health: aggregate(list, now), recent: list.slice(0, RECENT_RUNS) };
    });
  }

  private async check(target: TargetSpec): Promise<void> {
    const key = monitoringKeyPlaintext(this.deps.settings, this.deps.secretBox);
    this.deps.onMonitoringKey?.(key);
    if (!this.enabled || !key || !this.gatewayUrl) return;
    const startedAt = new Date(this.now());
    const outcome = await probe(target, { gatewayUrl: this.gatewayUrl, apiKey: key, now: this.now });
    const run = await this.repo.recordRun(target.id, startedAt, outcome);
    this.cache = null;
    const recent = (await this.repo.runsSince([target.id], new Date(this.now() - DAY_MS))).get(target.id) ?? [];
    const state = aggregate(recent, this.now()).state;
    const previousState = this.states.get(target.id) ?? 'unknown';
    this.states.set(target.id, state);
    this.deps.events.publish('healthUpdates', {
      targetId: target.id,
      targetName: target.name,
      run,
      state,
      previousState,
      stateChanged: state !== previousState,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.follower);
    await this.scheduler.stop();
    await this.scheduler.idle();
    await this.pruner.stop();
  }
}
