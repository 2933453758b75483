import { fetchDaily, fetchSummary, fetchTargets, PublicApiError, type DayUptime, type PublicSummary, type PublicTarget } from './public-api';

/**
 * The status page's data, polled from the public API. The page is anonymous,
 * so it cannot use the `healthUpdates` subscription (GraphQL needs a login);
 * checks run every few minutes, so one poll a minute is live enough and stays
 * far below the public rate limit (60 requests a minute per IP, 3 per poll).
 */
export const STATUS_REFRESH_MS = 60_000;

export class StatusFeed {
  summary = $state.raw<PublicSummary | undefined>();
  targets = $state.raw<PublicTarget[] | undefined>();
  /** Checks per UTC day and target, for the uptime bars. */
  daily = $state.raw<ReadonlyMap<string, DayUptime[]> | undefined>();
  error = $state<string | undefined>();
  /** The gateway answered 404: monitoring is off. */
  unavailable = $state(false);
  loading = $state(false);
  /** When the last poll answered (ms since epoch). */
  updatedAt = $state<number | undefined>();

  async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      const [summary, targets, daily] = await Promise.all([fetchSummary(), fetchTargets(), fetchDaily()]);
      this.summary = summary;
      this.targets = targets;
      this.daily = daily;
      this.error = undefined;
      this.unavailable = false;
      this.updatedAt = Date.now();
    } catch (e) {
      if (e instanceof PublicApiError && e.status === 404) this.unavailable = true;
      else this.error = (e as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /** Polls every `everyMs` and when the tab becomes visible again after a pause; returns the stop function. */
  start(everyMs = STATUS_REFRESH_MS): () => void {
    void this.refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.refresh();
    }, everyMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible' && (this.updatedAt === undefined || Date.now() - this.updatedAt > everyMs)) void this.refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }
}
