import { RequestLoggedSubscription } from '$lib/api/logs';
import { session } from '$lib/stores/session.svelte';
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
  fresh = $state.raw(new Set<string>());
  connected = $state(false);

  #stop: (() => void) | undefined;

  start(filters: LogFilters) {
    this.stop();
    const filter = {
      keyId: filters.keyId || undefined,
      model: filters.model || undefined,
      statusClass: filters.statusClass || undefined,
    };
    const { unsubscribe } = session.client.subscription(RequestLoggedSubscription, { filter }).subscribe((result) => {
      this.connected = true;
      const row = result.data?.requestLogged;
      if (!row) return;
      if (this.paused) this.pending = [row, ...this.pending].slice(0, MAX_ROWS);
      else this.#show([row]);
    });
    this.connected = true;
    this.#stop = unsubscribe;
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
    this.fresh = new Set(newestFirst.map((r) => r.id));
  }
}
