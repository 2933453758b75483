import { currentLanguage } from '$lib/i18n';
const MINUTE_MS = 60_000;

/** Minutes shown by the per-minute charts (the current, partial one included). */
export const SERIES_MINUTES = 60;

/** What the totals and top lists cover: the operator's day, or the last 7 or 30 local days (today included). */
export type DashboardPeriod = 'today' | '7d' | '30d';
const PERIOD_DAYS: Record<DashboardPeriod, number> = { today: 1, '7d': 7, '30d': 30 };

export interface DashboardWindow {
  /** Local midnight of the period's first day: "today" is the operator's day, not UTC's. */
  todayFrom: string;
  /** Start of the oldest minute on the charts; also the start of "last hour" for provider health. */
  hourFrom: string;
  /** Next local midnight. Ending the totals there (not at "now") tolerates a browser clock a little behind the server's. */
  to: string;
  /** End of the current minute, so the newest bucket is the one filling up now. */
  seriesTo: string;
}

export function dashboardWindow(now: Date, period: DashboardPeriod = 'today'): DashboardWindow {
  const minute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (PERIOD_DAYS[period] - 1));
  const nextMidnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return {
    todayFrom: midnight.toISOString(),
    hourFrom: new Date(minute - (SERIES_MINUTES - 1) * MINUTE_MS).toISOString(),
    to: nextMidnight.toISOString(),
    seriesTo: new Date(minute + MINUTE_MS).toISOString(),
  };
}

/** A bucket start as the operator's local time of day, e.g. "14:05". */
export function minuteLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString(currentLanguage(), { hour: '2-digit', minute: '2-digit', hour12: false });
}
