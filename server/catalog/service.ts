import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { loadBuiltinCatalog, type BuiltinCatalog } from './builtin.js';
import { fetchCatalogText } from './fetch.js';
import { CatalogIndex } from './search-index.js';
import type { CatalogStatus } from './types.js';
import { CatalogRejectedError, parseCatalog } from './validate.js';

const SNAPSHOT_ID = 'litellm';
/** Setting row with the outcome of the last fetch attempt (kept across restarts). */
const ATTEMPT_SETTING = 'catalogLastAttempt';
/** First scheduled fetch when nothing is stored yet: soon, but not during start-up. */
const FIRST_FETCH_DELAY_MS = 60_000;
/** After a failed scheduled fetch, try again sooner than the full interval. */
const RETRY_DELAY_MS = 60 * 60_000;

/** Timer functions, injectable so tests drive the schedule without waiting. */
export interface CatalogClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. Must not keep the process alive. */
  schedule(fn: () => void, ms: number): () => void;
}

export const systemClock: CatalogClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface CatalogOptions {
  url: string;
  timeoutMs: number;
  /** 0 = no scheduled refresh. */
  refreshIntervalMs: number;
  clock?: CatalogClock;
  /** The copy shipped with the gateway (default: the pinned package's); null for none. */
  builtin?: () => BuiltinCatalog | null;
}

/** The setting that points the catalog at another URL or a local file (shown when a fetch fails). */
export const CATALOG_URL_SETTING = 'LITELLM_CATALOG_URL';

export interface RefreshOutcome {
  ok: boolean;
  /** The fetched copy equals the stored one (only the fetch time moved). */
  unchanged: boolean;
  error: string | null;
}

interface LastAttempt {
  at: string;
  error: string | null;
}

/**
 * The LiteLLM catalog of one gateway instance: the last good copy (database),
 * its search index (memory), and the refresh on demand and on a schedule.
 * A fetch that fails or does not validate changes nothing but the recorded error.
 */
export class CatalogService {
  private index: CatalogIndex | null = null;
  private stored: { fetchedAt: Date; sha256: string; entryCount: number; skippedCount: number; sourceUrl: string } | null = null;
  /** In use while no fetched copy is stored. */
  private builtin: { source: string; entryCount: number; skippedCount: number } | null = null;
  private lastAttempt: LastAttempt | null = null;
  private inFlight: Promise<RefreshOutcome> | null = null;
  private readonly abort = new AbortController();
  private cancelTimer: (() => void) | null = null;
  private readonly clock: CatalogClock;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: CatalogOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Loads the stored copy into memory. */
  async load(): Promise<void> {
    const [row, attempt] = await Promise.all([
      this.db.catalogSnapshot.findUnique({ where: { id: SNAPSHOT_ID } }),
      this.db.setting.findUnique({ where: { key: ATTEMPT_SETTING } }),
    ]);
    this.lastAttempt = (attempt?.value as LastAttempt | undefined) ?? null;
    if (row) {
      try {
        this.index = new CatalogIndex(parseCatalog(row.data).entries);
        this.stored = { fetchedAt: row.fetchedAt, sha256: row.sha256, entryCount: row.entryCount, skippedCount: row.skippedCount, sourceUrl: row.sourceUrl };
        return;
      } catch (error) {
        this.logger.error({ err: error }, 'stored catalog copy cannot be read; using the built-in copy until the next fetch');
      }
    }
    this.useBuiltin();
  }

  /** Serves the shipped copy until a fetch stores one (offline installations, blocked hosts). */
  private useBuiltin(): void {
    const builtin = (this.options.builtin ?? loadBuiltinCatalog)();
    if (!builtin) return;
    try {
      const parsed = parseCatalog(builtin.text);
      this.index = new CatalogIndex(parsed.entries);
      this.builtin = { source: builtin.source, entryCount: parsed.entries.length, skippedCount: parsed.skipped.length };
    } catch (error) {
      this.logger.error({ err: error, source: builtin.source }, 'built-in catalog copy cannot be read');
    }
  }

  /** The search index of the current copy, or null before the first good fetch. */
  get current(): CatalogIndex | null {
    return this.index;
  }

  status(): CatalogStatus {
    const builtin = this.stored ? null : this.builtin;
    return {
      origin: this.stored ? 'fetched' : builtin ? 'builtin' : 'none',
      builtinSource: builtin?.source ?? null,
      urlSetting: CATALOG_URL_SETTING,
      configuredUrl: this.options.url,
      sourceUrl: this.stored?.sourceUrl ?? this.options.url,
      fetchedAt: this.stored?.fetchedAt ?? null,
      entryCount: this.stored?.entryCount ?? builtin?.entryCount ?? 0,
      skippedCount: this.stored?.skippedCount ?? builtin?.skippedCount ?? 0,
      lastAttemptAt: this.lastAttempt ? new Date(this.lastAttempt.at) : null,
      lastError: this.lastAttempt?.error ?? null,
      refreshing: this.inFlight !== null,
    };
  }

  /** Fetches, validates and stores a new copy. Concurrent calls share one fetch. */
  refresh(): Promise<RefreshOutcome> {
    this.inFlight ??= this.fetchAndStore().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** The index, fetching once first if no copy was ever stored (the built-in copy answers when that fails). */
  async ensureLoaded(): Promise<CatalogIndex | null> {
    if (!this.stored) await this.refresh();
    return this.index;
  }

  /** Starts the scheduled refresh (no-op when the interval is 0). */
  start(): void {
    if (this.options.refreshIntervalMs <= 0) return;
    const due = this.stored ? this.stored.fetchedAt.getTime() + this.options.refreshIntervalMs - this.clock.now() : FIRST_FETCH_DELAY_MS;
    this.scheduleNext(Math.max(due, FIRST_FETCH_DELAY_MS));
  }

  /** Stops the schedule and aborts a fetch in flight. */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.abort.abort();
    await this.inFlight?.catch(() => {});
  }

  private scheduleNext(ms: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.clock.schedule(() => {
      this.cancelTimer = null;
      void this.refresh().then((outcome) => {
        if (!this.abort.signal.aborted)
          this.scheduleNext(outcome.ok ? this.options.refreshIntervalMs : Math.min(RETRY_DELAY_MS, this.options.refreshIntervalMs));
      });
    }, ms);
  }

  private async fetchAndStore(): Promise<RefreshOutcome> {
    const url = this.options.url;
    const at = new Date(this.clock.now());
    try {
      const text = await fetchCatalogText(url, this.options.timeoutMs, this.abort.signal);
      const sha256 = createHash('sha256').update(text).digest('hex');
      if (this.stored && this.stored.sha256 === sha256 && this.stored.sourceUrl === url) {
        await this.db.catalogSnapshot.update({ where: { id: SNAPSHOT_ID }, data: { fetchedAt: at } });
        this.stored = { ...this.stored, fetchedAt: at };
        await this.recordAttempt(at, null);
        return { ok: true, unchanged: true, error: null };
      }
      const parsed = parseCatalog(text, this.stored?.entryCount ?? 0);
      const index = new CatalogIndex(parsed.entries);
      const row = { sourceUrl: url, fetchedAt: at, sha256, entryCount: parsed.entries.length, skippedCount: parsed.skipped.length, data: text };
      // One statement replaces the whole copy: a failure leaves the previous one intact.
      await this.db.catalogSnapshot.upsert({ where: { id: SNAPSHOT_ID }, create: { id: SNAPSHOT_ID, ...row }, update: row });
      this.index = index;
      this.stored = { fetchedAt: at, sha256, entryCount: row.entryCount, skippedCount: row.skippedCount, sourceUrl: url };
      await this.recordAttempt(at, null);
      if (parsed.skipped.length) {
        this.logger.warn({ skipped: parsed.skipped.length, examples: parsed.skipped.slice(0, 5) }, 'catalog entries skipped by validation');
      }
      this.logger.info({ entries: row.entryCount, url }, 'catalog refreshed');
      return { ok: true, unchanged: false, error: null };
    } catch (error) {
      const message = error instanceof CatalogRejectedError ? `catalog rejected: ${error.message}` : (error as Error).message;
      this.logger.warn({ url, error: message }, 'catalog refresh failed; keeping the last good copy');
      await this.recordAttempt(at, message).catch((e) => this.logger.error({ err: e }, 'cannot record catalog attempt'));
      return { ok: false, unchanged: false, error: message };
    }
  }

  private async recordAttempt(at: Date, error: string | null): Promise<void> {
    this.lastAttempt = { at: at.toISOString(), error };
    if (this.abort.signal.aborted) return;
    const value = this.lastAttempt as object;
    await this.db.setting.upsert({ where: { key: ATTEMPT_SETTING }, create: { key: ATTEMPT_SETTING, value }, update: { value } });
  }
}
