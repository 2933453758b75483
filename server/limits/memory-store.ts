import { LruMap } from './lru-map.js';
import { dayPeriod, monthPeriod, TOTAL_PERIOD, weekPeriod, WINDOW_MS } from './periods.js';
import { isEndUserSubject } from './subjects.js';
import type { AdmitPlan, AdmitResult, CounterStore, KeyCounters, LimitName, ReleasePlan, SpendSeed, SubjectCounters, SubjectPlan } from './store.js';

interface WindowCount {
  window: number;
  value: number;
}

/** What the counters need of a map: a plain Map (keys, teams, models) or an LruMap (end users). */
interface CounterMap<V> {
  get(id: string): V | undefined;
  set(id: string, value: V): unknown;
  delete(id: string): boolean;
}

/** End users held per kind of counter (minute window, spend) before the least recently seen is forgotten. */
export const DEFAULT_END_USER_CAP = 50_000;

interface SpendCell {
  total: number;
  /** Only the latest day, week and month are kept; older periods no longer matter. */
  day?: { period: string; usd: number };
  week?: { period: string; usd: number };
  month?: { period: string; usd: number };
}

/**
 * Counters of one gateway instance. Every check-and-take runs synchronously,
 * so concurrent requests on the event loop cannot slip past a limit.
 *
 * Keys, teams and their models are as many as the configuration has; end users are
 * as many as callers name, so their counters live in LRU maps of `endUserCap`
 * entries each. A forgotten end user is the one seen least recently: its minute
 * window is long over, or (for a budget) it starts counting again from zero on this
 * instance; with Redis the shared counters expire with their period instead.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly rpm = new Map<string, WindowCount>();
  private readonly tpm = new Map<string, WindowCount>();
  private readonly inFlight = new Map<string, Set<string>>();
  private readonly spend = new Map<string, SpendCell>();
  private readonly endUserRpm: LruMap<string, WindowCount>;
  private readonly endUserTpm: LruMap<string, WindowCount>;
  private readonly endUserSpend: LruMap<string, SpendCell>;

  constructor(options: { endUserCap?: number } = {}) {
    const cap = options.endUserCap ?? DEFAULT_END_USER_CAP;
    this.endUserRpm = new LruMap(cap);
    this.endUserTpm = new LruMap(cap);
    this.endUserSpend = new LruMap(cap);
  }

  /** How many counters of each kind are held (end users apart): what the caps bound. */
  sizes(): { rpm: number; tpm: number; spend: number; endUserRpm: number; endUserTpm: number; endUserSpend: number } {
    return {
      rpm: this.rpm.size,
      tpm: this.tpm.size,
      spend: this.spend.size,
      endUserRpm: this.endUserRpm.size,
      endUserTpm: this.endUserTpm.size,
      endUserSpend: this.endUserSpend.size,
    };
  }

  private rpmOf(id: string): CounterMap<WindowCount> {
    return isEndUserSubject(id) ? this.endUserRpm : this.rpm;
  }

  private tpmOf(id: string): CounterMap<WindowCount> {
    return isEndUserSubject(id) ? this.endUserTpm : this.tpm;
  }

  private spendOf(id: string): CounterMap<SpendCell> {
    return isEndUserSubject(id) ? this.endUserSpend : this.spend;
  }

  admit(plan: AdmitPlan): AdmitResult {
    const counters = plan.subjects.map((subject) => this.found(subject, plan.window));
    for (let i = 0; i < plan.subjects.length; i++) {
      const rejected = verdict(plan.subjects[i], counters[i]);
      if (rejected) return { rejected, rejectedBy: i, counters, backend: 'memory' };
    }
    plan.subjects.forEach((subject, i) => this.take(subject, counters[i], plan));
    return { counters, backend: 'memory' };
  }

  private found(subject: SubjectPlan, window: number): SubjectCounters {
    return {
      rpmUsed: subject.rpmLimit ? this.windowValue(this.rpmOf(subject.id), subject.id, window) : 0,
      tpmUsed: subject.tpmLimit ? this.windowValue(this.tpmOf(subject.id), subject.id, window) : 0,
      inFlight: subject.maxConcurrency ? (this.inFlight.get(subject.id)?.size ?? 0) : 0,
      spentUsd: subject.budget ? this.spendIn(subject.id, subject.budget.period) : 0,
    };
  }

  private take(subject: SubjectPlan, counters: SubjectCounters, plan: AdmitPlan): void {
    if (subject.rpmLimit) counters.rpmUsed = this.addToWindow(this.rpmOf(subject.id), subject.id, plan.window, 1);
    if (subject.tpmLimit) counters.tpmUsed = this.addToWindow(this.tpmOf(subject.id), subject.id, plan.window, plan.estimatedTokens);
    if (subject.maxConcurrency) {
      let set = this.inFlight.get(subject.id);
      if (!set) this.inFlight.set(subject.id, (set = new Set()));
      set.add(plan.leaseId);
      counters.inFlight = set.size;
    }
  }

  release(plan: ReleasePlan): void {
    const nowWindow = Math.floor(plan.now / WINDOW_MS);
    for (const subject of plan.subjects) {
      if (subject.tpm) {
        const { window, reserved, actual } = subject.tpm;
        const tpm = this.tpmOf(subject.id);
        const current = tpm.get(subject.id);
        // Still the admission's window: swap the reservation for the real usage.
        // Otherwise the reservation left with its window and usage lands in the new one.
        if (nowWindow === window) {
          if (current && current.window === window) current.value = Math.max(0, current.value - reserved + actual);
        } else this.addToWindow(tpm, subject.id, nowWindow, actual);
      }
      if (subject.leaseId) {
        const set = this.inFlight.get(subject.id);
        set?.delete(subject.leaseId);
        if (set && set.size === 0) this.inFlight.delete(subject.id);
      }
      if (subject.spend && plan.costUsd > 0) this.addSpend(subject.id, plan.costUsd, plan.now);
    }
  }

  addSpend(keyId: string, usd: number, now: number): void {
    const cell = this.spendCell(keyId);
    cell.total += usd;
    const day = dayPeriod(now);
    const week = weekPeriod(now);
    const month = monthPeriod(now);
    cell.day = cell.day?.period === day ? { period: day, usd: cell.day.usd + usd } : { period: day, usd };
    cell.week = cell.week?.period === week ? { period: week, usd: cell.week.usd + usd } : { period: week, usd };
    cell.month = cell.month?.period === month ? { period: month, usd: cell.month.usd + usd } : { period: month, usd };
  }

  async read(keyId: string, now: number, periods: string[]): Promise<KeyCounters> {
    const window = Math.floor(now / WINDOW_MS);
    const spend: Record<string, number> = {};
    for (const p of periods) spend[p] = this.spendIn(keyId, p);
    return {
      rpmUsed: this.windowValue(this.rpmOf(keyId), keyId, window),
      tpmUsed: this.windowValue(this.tpmOf(keyId), keyId, window),
      inFlight: this.inFlight.get(keyId)?.size ?? 0,
      spend,
    };
  }

  async seedSpend(seeds: SpendSeed[]): Promise<void> {
    for (const { keyId, period, usd } of seeds) {
      const cell = this.spendCell(keyId);
      if (period === TOTAL_PERIOD) cell.total = Math.max(cell.total, usd);
      else if (period.startsWith('d:')) cell.day = raised(cell.day, period, usd);
      else if (period.startsWith('w:')) cell.week = raised(cell.week, period, usd);
      else if (period.startsWith('m:')) cell.month = raised(cell.month, period, usd);
    }
  }

  /** Every spend counter held, as seeds (used to refill Redis after an outage). */
  spendSeeds(): SpendSeed[] {
    const out: SpendSeed[] = [];
    for (const [keyId, cell] of [...this.spend.entries(), ...this.endUserSpend.entries()]) {
      out.push({ keyId, period: TOTAL_PERIOD, usd: cell.total });
      if (cell.day) out.push({ keyId, period: cell.day.period, usd: cell.day.usd });
      if (cell.week) out.push({ keyId, period: cell.week.period, usd: cell.week.usd });
      if (cell.month) out.push({ keyId, period: cell.month.period, usd: cell.month.usd });
    }
    return out;
  }

  async close(): Promise<void> {}

  private spendIn(keyId: string, period: string): number {
    const cell = this.spendOf(keyId).get(keyId);
    if (!cell) return 0;
    if (period === TOTAL_PERIOD) return cell.total;
    if (cell.day?.period === period) return cell.day.usd;
    if (cell.week?.period === period) return cell.week.usd;
    if (cell.month?.period === period) return cell.month.usd;
    return 0;
  }

  private spendCell(keyId: string): SpendCell {
    const cells = this.spendOf(keyId);
    let cell = cells.get(keyId);
    if (!cell) cells.set(keyId, (cell = { total: 0 }));
    return cell;
  }

  private windowValue(map: CounterMap<WindowCount>, keyId: string, window: number): number {
    const entry = map.get(keyId);
    return entry && entry.window === window ? entry.value : 0;
  }

  private addToWindow(map: CounterMap<WindowCount>, keyId: string, window: number, amount: number): number {
    const entry = map.get(keyId);
    if (entry && entry.window === window) return (entry.value += amount);
    if (entry && entry.window > window) return entry.value; // a late release for a window already gone
    map.set(keyId, { window, value: amount });
    return amount;
  }
}

/** The limit of one subject its counters are at (budget first, as every backend checks). */
function verdict(subject: SubjectPlan, found: SubjectCounters): LimitName | undefined {
  if (subject.budget && found.spentUsd >= subject.budget.limitUsd) return 'budget';
  if (subject.rpmLimit && found.rpmUsed >= subject.rpmLimit) return 'rpm';
  if (subject.tpmLimit && found.tpmUsed >= subject.tpmLimit) return 'tpm';
  if (subject.maxConcurrency && found.inFlight >= subject.maxConcurrency) return 'concurrency';
  return undefined;
}

/** A period cell raised to a seed: a later period replaces it, the same period keeps the larger value. */
function raised(cell: { period: string; usd: number } | undefined, period: string, usd: number): { period: string; usd: number } {
  if (!cell || cell.period < period) return { period, usd };
  if (cell.period === period) return { period, usd: Math.max(cell.usd, usd) };
  return cell;
}
