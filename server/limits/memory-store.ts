import { dayPeriod, monthPeriod, TOTAL_PERIOD, WINDOW_MS } from './periods.js';
import type { AdmitPlan, AdmitResult, CounterStore, KeyCounters, ReleasePlan, SpendSeed } from './store.js';

interface WindowCount {
  window: number;
  value: number;
}

interface SpendCell {
  total: number;
  /** Only the latest day and month are kept; older periods no longer matter. */
  day?: { period: string; usd: number };
  month?: { period: string; usd: number };
}

/**
 * Counters of one gateway instance. Every check-and-take runs synchronously,
 * so concurrent requests on the event loop cannot slip past a limit.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly rpm = new Map<string, WindowCount>();
  private readonly tpm = new Map<string, WindowCount>();
  private readonly inFlight = new Map<string, Set<string>>();
  private readonly spend = new Map<string, SpendCell>();

  async admit(plan: AdmitPlan): Promise<AdmitResult> {
    return this.admitNow(plan);
  }

  admitNow(plan: AdmitPlan): AdmitResult {
    const rpmUsed = plan.rpmLimit ? this.windowValue(this.rpm, plan.keyId, plan.window) : 0;
    const tpmUsed = plan.tpmLimit ? this.windowValue(this.tpm, plan.keyId, plan.window) : 0;
    const leases = plan.maxConcurrency ? this.inFlight.get(plan.keyId) : undefined;
    const inFlight = leases?.size ?? 0;
    const spentUsd = plan.budget ? this.spendIn(plan.keyId, plan.budget.period) : 0;
    const found = { rpmUsed, tpmUsed, inFlight, spentUsd, backend: 'memory' as const };

    if (plan.budget && spentUsd >= plan.budget.limitUsd) return { ...found, rejected: 'budget' };
    if (plan.rpmLimit && rpmUsed >= plan.rpmLimit) return { ...found, rejected: 'rpm' };
    if (plan.tpmLimit && tpmUsed >= plan.tpmLimit) return { ...found, rejected: 'tpm' };
    if (plan.maxConcurrency && inFlight >= plan.maxConcurrency) return { ...found, rejected: 'concurrency' };

    if (plan.rpmLimit) found.rpmUsed = this.addToWindow(this.rpm, plan.keyId, plan.window, 1);
    if (plan.tpmLimit) found.tpmUsed = this.addToWindow(this.tpm, plan.keyId, plan.window, plan.estimatedTokens);
    if (plan.maxConcurrency) {
      let set = leases;
      if (!set) this.inFlight.set(plan.keyId, (set = new Set()));
      set.add(plan.leaseId);
      found.inFlight = set.size;
    }
    return found;
  }

  async release(plan: ReleasePlan): Promise<void> {
    this.releaseNow(plan);
  }

  releaseNow(plan: ReleasePlan): void {
    if (plan.tpm) {
      const { window, reserved, actual } = plan.tpm;
      const current = this.tpm.get(plan.keyId);
      const nowWindow = Math.floor(plan.now / WINDOW_MS);
      // Still the admission's window: swap the reservation for the real usage.
      // Otherwise the reservation left with its window and usage lands in the new one.
      if (nowWindow === window) {
        if (current && current.window === window) current.value = Math.max(0, current.value - reserved + actual);
      } else this.addToWindow(this.tpm, plan.keyId, nowWindow, actual);
    }
    if (plan.leaseId) {
      const set = this.inFlight.get(plan.keyId);
      set?.delete(plan.leaseId);
      if (set && set.size === 0) this.inFlight.delete(plan.keyId);
    }
    if (plan.costUsd > 0) this.addSpend(plan.keyId, plan.costUsd, plan.now);
  }

  addSpend(keyId: string, usd: number, now: number): void {
    const cell = this.spendCell(keyId);
    cell.total += usd;
    const day = dayPeriod(now);
    const month = monthPeriod(now);
    cell.day = cell.day?.period === day ? { period: day, usd: cell.day.usd + usd } : { period: day, usd };
    cell.month = cell.month?.period === month ? { period: month, usd: cell.month.usd + usd } : { period: month, usd };
  }

  async read(keyId: string, now: number, periods: string[]): Promise<KeyCounters> {
    const window = Math.floor(now / WINDOW_MS);
    const spend: Record<string, number> = {};
    for (const p of periods) spend[p] = this.spendIn(keyId, p);
    return {
      rpmUsed: this.windowValue(this.rpm, keyId, window),
      tpmUsed: this.windowValue(this.tpm, keyId, window),
      inFlight: this.inFlight.get(keyId)?.size ?? 0,
      spend,
    };
  }

  async seedSpend(seeds: SpendSeed[]): Promise<void> {
    for (const { keyId, period, usd } of seeds) {
      const cell = this.spendCell(keyId);
      if (period === TOTAL_PERIOD) cell.total = Math.max(cell.total, usd);
      else if (period.startsWith('d:')) {
        if (!cell.day || cell.day.period < period) cell.day = { period, usd };
        else if (cell.day.period === period) cell.day.usd = Math.max(cell.day.usd, usd);
      } else if (period.startsWith('m:')) {
        if (!cell.month || cell.month.period < period) cell.month = { period, usd };
        else if (cell.month.period === period) cell.month.usd = Math.max(cell.month.usd, usd);
      }
    }
  }

  /** Every spend counter held, as seeds (used to refill Redis after an outage). */
  spendSeeds(): SpendSeed[] {
    const out: SpendSeed[] = [];
    for (const [keyId, cell] of this.spend) {
      out.push({ keyId, period: TOTAL_PERIOD, usd: cell.total });
      if (cell.day) out.push({ keyId, period: cell.day.period, usd: cell.day.usd });
      if (cell.month) out.push({ keyId, period: cell.month.period, usd: cell.month.usd });
    }
    return out;
  }

  async close(): Promise<void> {}

  private spendIn(keyId: string, period: string): number {
    const cell = this.spend.get(keyId);
    if (!cell) return 0;
    if (period === TOTAL_PERIOD) return cell.total;
    if (cell.day?.period === period) return cell.day.usd;
    if (cell.month?.period === period) return cell.month.usd;
    return 0;
  }

  private spendCell(keyId: string): SpendCell {
    let cell = this.spend.get(keyId);
    if (!cell) this.spend.set(keyId, (cell = { total: 0 }));
    return cell;
  }

  private windowValue(map: Map<string, WindowCount>, keyId: string, window: number): number {
    const entry = map.get(keyId);
    return entry && entry.window === window ? entry.value : 0;
  }

  private addToWindow(map: Map<string, WindowCount>, keyId: string, window: number, amount: number): number {
    const entry = map.get(keyId);
    if (entry && entry.window === window) return (entry.value += amount);
    if (entry && entry.window > window) return entry.value; // a late release for a window already gone
    map.set(keyId, { window, value: amount });
    return amount;
  }
}
