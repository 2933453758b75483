import { DashboardRequestLoggedSubscription } from '$lib/api/dashboard';
import { subscribe } from '$lib/graphql/subscribe';

/**
 * When the dashboard re-reads its aggregates.
 *
 * Admins: each finished request arrives over `requestLogged`; the first one
 * schedules a refresh SETTLE_MS later and the ones after it join that refresh,
 * so a burst costs one query and steady traffic one query every SETTLE_MS. The
 * wait lets the batched log writer (REQUEST_LOG_FLUSH_MS, 500 ms by default)
 * store the rows the aggregates are computed from.
 *
 * Viewers may not subscribe to `requestLogged`; their dashboard polls every
 * POLL_MS instead. Both also refresh every IDLE_REFRESH_MS (or POLL_MS), so the
 * minute charts move on without traffic, and nothing is fetched while the tab
 * is hidden: it catches up at once when shown again.
 */
export const SETTLE_MS = 1500;
export const POLL_MS = 5000;
export const IDLE_REFRESH_MS = 30_000;

export interface RefresherOptions {
  /** Follow `requestLogged` (admins) rather than polling. */
  followRequests: boolean;
}

export class UsageRefresher {
  /** Bumped on every refresh; the usage query recomputes its time window from it. */
  version = $state(0);
  /** When the last refresh was asked for (ms since epoch). */
  at = $state(Date.now());
  /** True while the requestLogged subscription is open. */
  following = $state(false);

  #stale = false;
  #settle: ReturnType<typeof setTimeout> | undefined;

  refresh = () => {
    clearTimeout(this.#settle);
    this.#settle = undefined;
    if (document.hidden) {
      this.#stale = true;
      return;
    }
    this.#stale = false;
    this.at = Date.now();
    this.version++;
  };

  /** Starts listening; returns the function that stops everything. */
  start({ followRequests }: RefresherOptions): () => void {
    const stops: Array<() => void> = [];

    if (followRequests) {
      const unsubscribe = subscribe(DashboardRequestLoggedSubscription, {}, () => this.#requestFinished());
      this.following = true;
      stops.push(() => {
        unsubscribe();
        this.following = false;
      });
    }

    const interval = setInterval(this.refresh, followRequests ? IDLE_REFRESH_MS : POLL_MS);
    stops.push(() => clearInterval(interval));

    const onVisibility = () => {
      if (!document.hidden && this.#stale) this.refresh();
    };
    document.addEventListener('visibilitychange', onVisibility);
    stops.push(() => document.removeEventListener('visibilitychange', onVisibility));

    return () => {
      clearTimeout(this.#settle);
      this.#settle = undefined;
      for (const stop of stops) stop();
    };
  }

  #requestFinished() {
    if (this.#settle === undefined) this.#settle = setTimeout(this.refresh, SETTLE_MS);
  }
}
