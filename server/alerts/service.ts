import type { Logger } from 'pino';
import type { HealthUpdateEvent, TargetStateChangedEvent } from '../core/events.js';
import type { RequestLogRow } from '../core/request-log-row.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events/pubsub.js';
import { budgetPeriodKey, budgetPeriodOf } from '../limits/periods.js';
import { teamSubjectId } from '../limits/subjects.js';
import type { KeyLimiter } from '../limits/types.js';
import type { TeamEntry } from '../snapshot/team-entry.js';
import type { ConfigSnapshot } from '../snapshot/types.js';
import { deliver } from './channels.js';
import { DEPENDENCIES, probeDependencies, type Dependency, type DependencyProbe } from './dependencies.js';
import { channelTargets, enabledRules, lastEvent, recordEvent } from './repository.js';
import { watched, type AlertRuleSpec } from './rules.js';
import type { Alert, ChannelTarget, Delivery, RuleKind } from './types.js';
import { errorRate, p95, TrafficWindows } from './windows.js';

/** Only one instance sends: the holder of this lock (Redis with scale-out, else the instance itself). */
export interface AlertLock {
  tryAcquire(ttlMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface AlertServiceDeps {
  db: Db;
  secretBox: SecretBox;
  events: EventBus;
  snapshot: { readonly current: ConfigSnapshot };
  limits: Pick<KeyLimiter, 'state'>;
  logger: Logger;
  lock: AlertLock;
  /** How often periodic rules (rates, latency, budgets, expiry, dependencies) are evaluated and the lock renewed. */
  intervalMs: number;
  /** The database and (with scale-out) Redis, probed every period for `dependency_lost` rules. */
  probes?: DependencyProbe[];
  now?: () => number;
}

type RuleOf<K extends RuleKind> = Extract<AlertRuleSpec, { kind: K }>;

/** Failed probes in a row before a dependency counts as lost (one blip is not an outage). */
const LOST_AFTER_FAILURES = 2;
/** Alerts kept for the history while the database is lost, written when it answers again. */
const MAX_PENDING_HISTORY = 200;

/** A key or a team with its budget, as the budget rule reads it; `subjectId` names its spend counters. */
interface BudgetSubject {
  kind: 'key' | 'team';
  id: string;
  subjectId: string;
  name: string;
  budgetUsd?: number | null;
  budgetPeriod?: string | null;
}

/** What a dependency rule last sent about one dependency. */
interface DependencyMemo {
  key: string;
  lostAt?: number;
}

/**
 * Evaluates the alert rules and sends alerts. Every instance watches its event
 * bus (circuit changes and request rows travel between instances over Redis),
 * but only the lock holder evaluates and sends. De-duplication reads the sent
 * history (AlertEvent), so it holds across restarts and a change of holder:
 * a target reported down is not reported down again until it recovered, a
 * recovery is sent only for a reported down, a flapping target's next down
 * waits out the cool-down, and a budget threshold or an expiry is sent once.
 */
export class AlertService {
  private holding = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private rules: AlertRuleSpec[] = [];
  /** One evaluation at a time, so duplicate events (every instance announces a circuit) see each other's history. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly windows = new TrafficWindows();
  private readonly stops: Array<() => unknown> = [];
  private modelNames = { version: -1, byId: new Map<string, { name: string; provider: string }>() };
  private readonly now: () => number;
  /** The channels of the rules as last read, so an alert still goes out while the database is lost. */
  private channels = new Map<string, ChannelTarget>();
  private readonly pendingHistory: Array<{ rule: AlertRuleSpec; alert: Alert; deliveries: Delivery[] }> = [];
  private readonly failures = new Map<Dependency, number>();
  private readonly dependencyMemos = new Map<string, DependencyMemo>();

  constructor(private readonly deps: AlertServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    // Every request: a plain listener, not an async iterator (measured ~25 µs of the gateway's CPU per request).
    this.stops.push(
      this.deps.events.listen(
        'requestLogged',
        (row) => this.observe(row),
        (error) => this.logEventError(error),
      ),
    );
    this.consume(this.deps.events.subscribe('targetStateChanged'), (e) => this.onCircuit(e));
    this.consume(this.deps.events.subscribe('healthUpdates'), (e) => this.onHealth(e));
    await this.tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const stop of this.stops) await stop();
    await this.queue.catch(() => {});
    if (this.holding) await this.deps.lock.release();
  }

  private consume<T>(source: AsyncIterableIterator<T>, handle: (value: T) => void): void {
    this.stops.push(() => source.return?.());
    void (async () => {
      for await (const value of source) {
        try {
          handle(value);
        } catch (error) {
          this.logEventError(error);
        }
      }
    })();
  }

  private logEventError(error: unknown): void {
    this.deps.logger.error({ err: error }, 'alert event handling failed');
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((error) => this.deps.logger.error({ err: error }, 'alert evaluation failed'));
    this.queue = next;
    return next;
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const health = await probeDependencies(this.deps.probes ?? []);
      for (const [name, error] of health) this.failures.set(name, error === undefined ? 0 : (this.failures.get(name) ?? 0) + 1);
      const acquired = await this.deps.lock.tryAcquire(Math.max(3 * this.deps.intervalMs, 3_000));
      // While Redis is lost nobody can take the lock: the instance that held it goes on sending (its outage included).
      this.holding = acquired || (this.holding && health.get('redis') !== undefined);
      if (this.holding) {
        const databaseUp = health.get('database') === undefined;
        if (databaseUp) {
          this.rules = await enabledRules(this.deps.db);
          await this.rememberChannels();
          await this.writePendingHistory();
        }
        await this.enqueue(() => this.evaluateDependencies(health, databaseUp));
        if (databaseUp) await this.enqueue(() => this.evaluatePeriodic());
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'alert tick failed');
    }
    if (!this.closed) {
      this.timer = setTimeout(() => void this.tick(), this.deps.intervalMs);
      this.timer.unref();
    }
  }

  private rulesOf<K extends RuleKind>(kind: K): Array<RuleOf<K>> {
    return this.rules.filter((r): r is RuleOf<K> => r.kind === kind);
  }

  private modelInfo(modelId: string): { name: string; provider: string } | undefined {
    const snapshot = this.deps.snapshot.current;
    if (this.modelNames.version !== snapshot.version) {
      const byId = new Map<string, { name: string; provider: string }>();
      for (const m of snapshot.modelsByName.values()) byId.set(m.id, { name: m.name, provider: m.provider.name });
      this.modelNames = { version: snapshot.version, byId };
    }
    return this.modelNames.byId.get(modelId);
  }

  // ---- live traffic ----

  private observe(row: RequestLogRow): void {
    if (!row.modelId) return;
    // A Date from this instance, its JSON text from another one.
    const created = row.createdAt instanceof Date ? row.createdAt.getTime() : Date.parse(String(row.createdAt));
    const at = Number.isNaN(created) ? this.now() : created;
    const error = row.status >= 500;
    const info = this.modelInfo(row.modelId);
    this.windows.add('model', info?.name ?? row.targetModel ?? row.modelId, at, error, row.latencyMs);
    if (row.providerName) this.windows.add('provider', row.providerName, at, error, row.latencyMs);
  }

  private onCircuit(e: TargetStateChangedEvent): void {
    if (!this.holding || e.state === 'half_open') return;
    const info = this.modelInfo(e.modelId);
    const name = info?.name ?? e.modelId;
    void this.enqueue(() =>
      this.targetChanged(`target:model:${e.modelId}`, name, e.state === 'open', `live traffic (circuit ${e.state})`, {
        model: name,
        provider: info?.provider ?? '',
      }),
    );
  }

  private onHealth(e: HealthUpdateEvent): void {
    if (!this.holding || !e.stateChanged) return;
    const down = e.state === 'down';
    const recovered = e.previousState === 'down' && (e.state === 'healthy' || e.state === 'degraded');
    if (!down && !recovered) return;
    void this.enqueue(() => this.targetChanged(`target:health:${e.targetId}`, e.targetName, down, `health checks (${e.state})`, { target: e.targetName }));
  }

  private async targetChanged(subject: string, name: string, down: boolean, source: string, labels: Record<string, string>): Promise<void> {
    const downKey = `${subject}:down`;
    const upKey = `${subject}:recovered`;
    for (const rule of this.rulesOf('target_down')) {
      if (!watched(rule.params.targets, name)) continue;
      const last = await lastEvent(this.deps.db, rule.id, [downKey, upKey]);
      if (down) {
        if (last?.dedupKey === downKey) continue;
        // Flapping: a new down within the cool-down of the last one is not sent (nor, then, its recovery).
        const lastDown = last ? await lastEvent(this.deps.db, rule.id, [downKey]) : null;
        if (lastDown && this.now() - lastDown.createdAt.getTime() < rule.cooldownMs) continue;
        await this.send(rule, {
          kind: 'target_down',
          severity: 'critical',
          title: `${name} is down`,
          message: `Detected from ${source}.`,
          dedupKey: downKey,
          labels: { ...labels, state: 'down' },
          at: new Date(this.now()),
        });
      } else {
        if (last?.dedupKey !== downKey) continue;
        await this.send(rule, {
          kind: 'target_down',
          severity: 'resolved',
          title: `${name} recovered`,
          message: `Detected from ${source}.`,
          dedupKey: upKey,
          labels: { ...labels, state: 'recovered' },
          at: new Date(this.now()),
        });
      }
    }
  }

  // ---- dependencies ----

  private async rememberChannels(): Promise<void> {
    const ids = [...new Set(this.rules.flatMap((r) => r.channelIds))];
    this.channels = new Map((await channelTargets(this.deps.db, this.deps.secretBox, ids)).map((c) => [c.id, c]));
  }

  /**
   * Lost after two failed probes in a row, back on the first answer after a
   * lost was sent. What was sent lives in memory (the database may be the
   * one lost); where the database answers and this instance has sent
   * nothing yet (a new holder), the history says what another holder sent.
   */
  private async evaluateDependencies(health: Map<Dependency, string | undefined>, databaseUp: boolean): Promise<void> {
    const now = this.now();
    for (const rule of this.rulesOf('dependency_lost')) {
      for (const name of rule.params.dependencies ?? DEPENDENCIES) {
        if (!health.has(name)) continue;
        const error = health.get(name);
        const lostKey = `dependency:${name}:lost`;
        const backKey = `dependency:${name}:back`;
        const memoKey = `${rule.id}\n${name}`;
        let memo = this.dependencyMemos.get(memoKey);
        if (!memo && databaseUp) {
          const last = await lastEvent(this.deps.db, rule.id, [lostKey, backKey]);
          if (last) memo = { key: last.dedupKey, lostAt: last.dedupKey === lostKey ? last.createdAt.getTime() : undefined };
        }
        const label = name === 'database' ? 'The database' : 'Redis';
        if (error !== undefined) {
          if ((this.failures.get(name) ?? 0) < LOST_AFTER_FAILURES || memo?.key === lostKey) continue;
          // Flapping: a new loss within the cool-down of the last one is not sent (nor, then, its return).
          if (memo?.lostAt !== undefined && now - memo.lostAt < rule.cooldownMs) continue;
          this.dependencyMemos.set(memoKey, { key: lostKey, lostAt: now });
          await this.send(
            rule,
            {
              kind: 'dependency_lost',
              severity: 'critical',
              title: `${label} is not answering`,
              message: `${label} did not answer the gateway's checks ${LOST_AFTER_FAILURES} times in a row: ${error}`,
              dedupKey: lostKey,
              labels: { dependency: name, state: 'lost', error },
              at: new Date(now),
            },
            databaseUp,
          );
        } else if (memo?.key === lostKey) {
          this.dependencyMemos.set(memoKey, { key: backKey, lostAt: memo.lostAt });
          await this.send(
            rule,
            {
              kind: 'dependency_lost',
              severity: 'resolved',
              title: `${label} is answering again`,
              message: memo.lostAt !== undefined ? `Lost since ${new Date(memo.lostAt).toISOString()}.` : `${label} answers the gateway's checks again.`,
              dedupKey: backKey,
              labels: { dependency: name, state: 'back' },
              at: new Date(now),
            },
            databaseUp,
          );
        }
      }
    }
  }

  private async writePendingHistory(): Promise<void> {
    while (this.pendingHistory.length) {
      const { rule, alert, deliveries } = this.pendingHistory[0];
      await recordEvent(this.deps.db, rule, alert, deliveries);
      this.pendingHistory.shift();
    }
  }

  // ---- periodic rules ----

  private async evaluatePeriodic(): Promise<void> {
    const now = this.now();
    for (const rule of this.rulesOf('error_rate')) {
      const { scope, threshold, windowSeconds, minRequests, targets } = rule.params;
      for (const { name, samples } of this.windows.recent(scope, windowSeconds * 1000, now)) {
        if (samples.length < minRequests || !watched(targets, name)) continue;
        const rate = errorRate(samples);
        if (rate <= threshold) continue;
        const pct = (rate * 100).toFixed(1);
        await this.sendUnlessCooling(rule, {
          kind: 'error_rate',
          severity: 'warning',
          title: `${name}: ${pct}% errors`,
          message: `${pct}% of ${samples.length} answers of ${scope} ${name} failed in the last ${windowSeconds} s (threshold ${(threshold * 100).toFixed(1)}%).`,
          dedupKey: `error_rate:${scope}:${name}`,
          labels: { scope, name, errorRate: rate, requests: samples.length },
          at: new Date(now),
        });
      }
    }
    for (const rule of this.rulesOf('latency_p95')) {
      const { scope, thresholdMs, windowSeconds, minRequests, targets } = rule.params;
      for (const { name, samples } of this.windows.recent(scope, windowSeconds * 1000, now)) {
        if (samples.length < minRequests || !watched(targets, name)) continue;
        const value = p95(samples);
        if (value <= thresholdMs) continue;
        await this.sendUnlessCooling(rule, {
          kind: 'latency_p95',
          severity: 'warning',
          title: `${name}: p95 latency ${value} ms`,
          message: `The 95th percentile latency of ${scope} ${name} was ${value} ms over the last ${windowSeconds} s (${samples.length} answers; threshold ${thresholdMs} ms).`,
          dedupKey: `latency_p95:${scope}:${name}`,
          labels: { scope, name, p95Ms: value, requests: samples.length },
          at: new Date(now),
        });
      }
    }
    const keys = [...this.deps.snapshot.current.keysByHash.values()].filter((k) => k.enabled && !k.revoked);
    // Teams are reached through their keys: a team without keys has no spend to watch.
    const teams = new Map<string, TeamEntry>();
    for (const key of keys) if (key.team) teams.set(key.team.id, key.team);
    for (const rule of this.rulesOf('budget')) {
      const thresholds = [...rule.params.thresholds].sort((a, b) => b - a);
      for (const key of keys) {
        if (!watched(rule.params.keys, key.name)) continue;
        await this.checkBudget(
          rule,
          thresholds,
          { kind: 'key', id: key.id, subjectId: key.id, name: key.name, budgetUsd: key.budgetUsd, budgetPeriod: key.budgetPeriod },
          now,
        );
      }
      for (const team of teams.values()) {
        if (!watched(rule.params.teams, team.name)) continue;
        const subject = {
          kind: 'team' as const,
          id: team.id,
          subjectId: teamSubjectId(team.id),
          name: team.name,
          budgetUsd: team.budgetUsd,
          budgetPeriod: team.budgetPeriod,
        };
        await this.checkBudget(rule, thresholds, subject, now);
      }
    }
    for (const rule of this.rulesOf('key_expiry')) {
      const horizon = now + rule.params.days * 86_400_000;
      for (const key of keys) {
        if (key.expiresAt === undefined || key.expiresAt <= now || key.expiresAt > horizon || !watched(rule.params.keys, key.name)) continue;
        const days = Math.ceil((key.expiresAt - now) / 86_400_000);
        await this.sendOnce(rule, {
          kind: 'key_expiry',
          severity: 'warning',
          // The replaced token of a rotated key is listed too: its grace period ends like an expiry.
          title: key.rotatedOut
            ? `The previous key of ${key.name} stops working in ${days} day${days === 1 ? '' : 's'}`
            : `Key ${key.name} expires in ${days} day${days === 1 ? '' : 's'}`,
          message: key.rotatedOut
            ? `The virtual key ${key.name} was rotated; callers still sending its previous key are refused from ${new Date(key.expiresAt).toISOString()}.`
            : `The virtual key ${key.name} (${key.prefix}…) expires on ${new Date(key.expiresAt).toISOString()}.`,
          dedupKey: `key_expiry:${key.id}:${key.rotatedOut ? 'rotated:' : ''}${key.expiresAt}`,
          labels: { key: key.name, keyId: key.id, expiresAt: new Date(key.expiresAt).toISOString(), rotated: key.rotatedOut ? 'yes' : 'no' },
          at: new Date(now),
        });
      }
    }
  }

  private async sendUnlessCooling(rule: AlertRuleSpec, alert: Alert): Promise<void> {
    const last = await lastEvent(this.deps.db, rule.id, [alert.dedupKey]);
    if (last && this.now() - last.createdAt.getTime() < rule.cooldownMs) return;
    await this.send(rule, alert);
  }

  /** One budget alert for the highest threshold a key's or team's period spend has reached (once per threshold and period). */
  private async checkBudget(rule: AlertRuleSpec, thresholds: number[], subject: BudgetSubject, now: number): Promise<void> {
    if (!subject.budgetUsd || subject.budgetUsd <= 0) return;
    const state = await this.deps.limits.state({ id: subject.subjectId, budgetPeriod: subject.budgetPeriod });
    const pct = (state.periodSpendUsd / subject.budgetUsd) * 100;
    const reached = thresholds.find((t) => pct >= t);
    if (reached === undefined) return;
    const period = budgetPeriodOf(subject.budgetPeriod);
    const who = subject.kind === 'key' ? `Key ${subject.name}` : `Team ${subject.name}`;
    const labels: Record<string, string> = subject.kind === 'key' ? { key: subject.name, keyId: subject.id } : { team: subject.name, teamId: subject.id };
    await this.sendOnce(rule, {
      kind: 'budget',
      severity: reached >= 100 ? 'critical' : 'warning',
      title: `${who} reached ${reached}% of its budget`,
      message: `Spent $${state.periodSpendUsd.toFixed(4)} of $${subject.budgetUsd.toFixed(2)} (${pct.toFixed(1)}%, ${period} budget).`,
      // Keys keep their original de-dup key, so history written before teams were watched still counts.
      dedupKey: `budget:${subject.kind === 'key' ? '' : 'team:'}${subject.id}:${budgetPeriodKey(period, now)}:${reached}`,
      labels: { ...labels, threshold: reached, spendUsd: state.periodSpendUsd, budgetUsd: subject.budgetUsd, period },
      at: new Date(now),
    });
  }

  private async sendOnce(rule: AlertRuleSpec, alert: Alert): Promise<void> {
    if (await lastEvent(this.deps.db, rule.id, [alert.dedupKey])) return;
    await this.send(rule, alert);
  }

  /** With the database lost, channels come from the last read and the history entry waits for its return. */
  private async send(rule: AlertRuleSpec, alert: Alert, databaseUp = true): Promise<Delivery[]> {
    const channels = databaseUp
      ? await channelTargets(this.deps.db, this.deps.secretBox, rule.channelIds)
      : rule.channelIds.flatMap((id) => this.channels.get(id) ?? []);
    const deliveries = await Promise.all(channels.map((c) => deliver(c, alert)));
    if (databaseUp) await recordEvent(this.deps.db, rule, alert, deliveries);
    else if (this.pendingHistory.push({ rule, alert, deliveries }) > MAX_PENDING_HISTORY) this.pendingHistory.shift();
    const failed = deliveries.filter((d) => !d.ok);
    if (failed.length) this.deps.logger.warn({ rule: rule.name, failed }, 'alert delivery failed');
    return deliveries;
  }
}
