/**
 * Time arithmetic of the key limits. Everything is UTC and epoch-millisecond
 * based so that instances sharing Redis agree on window and period names.
 */

/** RPM and TPM use fixed one-minute windows aligned to the UTC minute. */
export const WINDOW_MS = 60_000;

export interface MinuteWindow {
  /** Minutes since the epoch: the window's name in counter keys. */
  id: number;
  endsAt: number;
}

export function minuteWindow(now: number): MinuteWindow {
  const id = Math.floor(now / WINDOW_MS);
  return { id, endsAt: (id + 1) * WINDOW_MS };
}

const DAY_MS = 86_400_000;

/** The period names of one UTC day, computed once per day (every request asks for them). */
let names = { day: -1, daily: '', weekly: '', monthly: '' };

function namesOf(now: number): typeof names {
  const day = Math.floor(now / DAY_MS);
  if (day === names.day) return names;
  const d = new Date(day * DAY_MS);
  const monday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  const iso = d.toISOString();
  names = { day, daily: `d:${iso.slice(0, 10)}`, weekly: `w:${new Date(monday).toISOString().slice(0, 10)}`, monthly: `m:${iso.slice(0, 7)}` };
  return names;
}

/** `d:YYYY-MM-DD` of the UTC day containing `now`. */
export function dayPeriod(now: number): string {
  return namesOf(now).daily;
}

/** `w:YYYY-MM-DD` of the UTC week (Monday to Sunday) containing `now`, named by its Monday. */
export function weekPeriod(now: number): string {
  return namesOf(now).weekly;
}

/** `m:YYYY-MM` of the UTC month containing `now`. */
export function monthPeriod(now: number): string {
  return namesOf(now).monthly;
}

export const TOTAL_PERIOD = 'total';

export type BudgetPeriod = 'daily' | 'weekly' | 'monthly' | 'total';

/** A budget period as stored (unknown or missing → total, the strictest reading). */
export function budgetPeriodOf(value: string | null | undefined): BudgetPeriod {
  return value === 'daily' || value === 'weekly' || value === 'monthly' ? value : 'total';
}

/** The spend counter a budget is checked against at `now`. */
export function budgetPeriodKey(period: BudgetPeriod, now: number): string {
  switch (period) {
    case 'daily':
      return dayPeriod(now);
    case 'weekly':
      return weekPeriod(now);
    case 'monthly':
      return monthPeriod(now);
    case 'total':
      return TOTAL_PERIOD;
    default: {
      const _exhaustive: never = period;
      return _exhaustive;
    }
  }
}

/** Epoch ms when the period containing `now` ends; undefined for the total (never resets). */
export function budgetPeriodEnd(period: BudgetPeriod, now: number): number | undefined {
  const d = new Date(now);
  if (period === 'daily') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  if (period === 'weekly') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 7 - ((d.getUTCDay() + 6) % 7));
  if (period === 'monthly') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return undefined;
}

/**
 * A duration the way OpenAI writes its `x-ratelimit-reset-*` headers (Go's
 * duration notation): `250ms`, `12s`, `12.5s`, `1m0s`, `1h2m3s`.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const secondsText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

/** Whole seconds for `retry-after`: rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
