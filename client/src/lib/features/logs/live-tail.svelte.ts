import { SvelteSet } from 'svelte/reactivity';
import { RequestLoggedSubscription } from '$lib/api/logs';
import { subscribe } from '$lib/graphql/subscribe';
import type { LogFilters, LogRow } from './types';

/** Rows kept on screen; older ones fall off the end. */
const MAX_ROWS = 500;

/**
 * The live tail: rows from `requestLogged`, newest first. While paused, new rows
 * wait in a buffer and are shown (in order) on resume.
 */
export class LiveTail {
  rows = $state.raw<LogRow[]>([]);
  paused = $state(false);
  pending = $state.raw<LogRow[]>([]);
  /** Ids of the rows that arrived last, highlighted. */
  readonly fresh = new SvelteSet<string>();
  connected = $state(false);

  #stop: (() => void) | undefined;

  start(filters: LogFilters) {
    this.stop();
    const filter = {
      keyId: filters.keyId || undefined,
      model: filters.model || undefined,
      statusClass: filters.statusClass || undefined,
    };
    this.#stop = subscribe(RequestLoggedSubscription, { filter }, ({ requestLogged: row }) => {
      this.connected = true;
      if (this.paused) this.pending = [row, ...this.pending].slice(0, MAX_ROWS);
      else this.#show([row]);
    });
    this.connected = true;
  }

  stop() {
    this.#stop?.();
    this.#stop = undefined;
    this.connected = false;
  }

  pause() {
    this.paused = true;
  }

  resume() {
    this.paused = false;
    if (this.pending.length) this.#show(this.pending);
    this.pending = [];
  }

  clear() {
    this.rows = [];
    this.pending = [];
  }

  #show(newestFirst: LogRow[]) {
    this.rows = [...newestFirst, ...this.rows].slice(0, MAX_ROWS);
    this.fresh.clear();
    for (const row of newestFirst) this.fresh.add(row.id);
  }
}
