import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { CatalogSourceSetting } from '../settings/catalog-source.js';
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
  /** Where the admin set the catalog to refresh from (the `catalogSource` setting); null or absent = `url`. */
  source?: () => CatalogSourceSetting | null;
}

/** The setting that points the catalog at another URL or a local file (shown when a fetch fails). */
export const CATALOG_URL_SETTING = 'LITELLM_CATALOG_URL';
/** The admin setting that overrides it once set (Settings → Catalog source). */
export const CATALOG_SOURCE_SETTING = 'catalogSource';
/** `sourceUrl` of a stored copy the admin uploaded: `upload:<file name>`. */
const UPLOAD_PREFIX = 'upload:';

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
  /** The index of the stored (fetched or uploaded) copy. */
  private index: CatalogIndex | null = null;
  private stored: { fetchedAt: Date; sha256: string; entryCount: number; skippedCount: number; sourceUrl: string } | null = null;
  /** In use while no copy is stored, or when the admin chose it; read on first need (undefined = not yet). */
  private builtin: { index: CatalogIndex; source: string; entryCount: number; skippedCount: number } | null | undefined = undefined;
  private lastAttempt: LastAttempt | null = null;
  /** The source setting last seen (JSON); a change made on another instance makes this one re-read the stored copy. */
  private seenSource: string | null = null;
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
    this.seenSource = JSON.stringify(this.source());
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
    this.builtinCopy();
  }

  /** The shipped copy (offline installations, blocked hosts), parsed once on first need. */
  private builtinCopy(): { index: CatalogIndex; source: string; entryCount: number; skippedCount: number } | null {
    if (this.builtin !== undefined) return this.builtin;
    this.builtin = null;
    const builtin = (this.options.builtin ?? loadBuiltinCatalog)();
    if (!builtin) return null;
    try {
      const parsed = parseCatalog(builtin.text);
      this.builtin = {
        index: new CatalogIndex(parsed.entries),
        source: builtin.source,
        entryCount: parsed.entries.length,
        skippedCount: parsed.skipped.length,
      };
    } catch (error) {
      this.logger.error({ err: error, source: builtin.source }, 'built-in catalog copy cannot be read');
    }
    return this.builtin;
  }

  private source(): CatalogSourceSetting | null {
    return this.options.source?.() ?? null;
  }

  /** What a refresh downloads: null when the source is the built-in copy or an uploaded file. */
  private fetchUrl(): string | null {
    const source = this.source();
    if (!source) return this.options.url;
    switch (source.kind) {
      case 'default':
        return this.options.url;
      case 'url':
        return source.url;
      case 'builtin':
      case 'upload':
        return null;
      default: {
        const _exhaustive: never = source;
        return _exhaustive;
      }
    }
  }

  /** The stored copy answers unless the admin chose the built-in one. */
  private useStored(): boolean {
    this.followSource();
    return this.stored !== null && this.source()?.kind !== 'builtin';
  }

  /**
   * Settings are re-read on every instance after a change; the stored copy is not. When the source
   * setting changed (an upload or a fetch from a new address, possibly on another instance), the
   * stored row is read again in the background, so every instance soon serves the same copy.
   */
  private followSource(): void {
    const seen = JSON.stringify(this.source());
    if (seen === this.seenSource) return;
    this.seenSource = seen;
    void this.reloadStored().catch((error: unknown) => this.logger.error({ err: error }, 'cannot re-read the stored catalog copy'));
  }

  private async reloadStored(): Promise<void> {
    const head = await this.db.catalogSnapshot.findUnique({ where: { id: SNAPSHOT_ID }, select: { sha256: true } });
    if (!head || head.sha256 === this.stored?.sha256) return;
    const [row, attempt] = await Promise.all([
      this.db.catalogSnapshot.findUnique({ where: { id: SNAPSHOT_ID } }),
      this.db.setting.findUnique({ where: { key: ATTEMPT_SETTING } }),
    ]);
    if (!row) return;
    this.index = new CatalogIndex(parseCatalog(row.data).entries);
    this.stored = { fetchedAt: row.fetchedAt, sha256: row.sha256, entryCount: row.entryCount, skippedCount: row.skippedCount, sourceUrl: row.sourceUrl };
    this.lastAttempt = (attempt?.value as LastAttempt | undefined) ?? this.lastAttempt;
  }

  /** The search index of the copy in use, or null when there is none. */
  get current(): CatalogIndex | null {
    return this.useStored() ? this.index : (this.builtinCopy()?.index ?? null);
  }

  status(): CatalogStatus {
    const source = this.source();
    const stored = this.useStored() ? this.stored : null;
    const builtin = stored ? null : this.builtinCopy();
    const uploaded = stored?.sourceUrl.startsWith(UPLOAD_PREFIX) ?? false;
    const url = this.fetchUrl();
    return {
      origin: stored ? (uploaded ? 'uploaded' : 'fetched') : builtin ? 'builtin' : 'none',
      builtinSource: builtin?.source ?? null,
      sourceKind: source?.kind ?? 'default',
      sourceSet: source !== null,
      urlSetting: source ? CATALOG_SOURCE_SETTING : CATALOG_URL_SETTING,
      defaultUrl: this.options.url,
      configuredUrl: url,
      sourceUrl: stored ? (uploaded ? stored.sourceUrl.slice(UPLOAD_PREFIX.length) : stored.sourceUrl) : (url ?? ''),
      fetchedAt: stored?.fetchedAt ?? null,
      entryCount: stored?.entryCount ?? builtin?.entryCount ?? 0,
      skippedCount: stored?.skippedCount ?? builtin?.skippedCount ?? 0,
      lastAttemptAt: this.lastAttempt ? new Date(this.lastAttempt.at) : null,
      lastError: this.lastAttempt?.error ?? null,
      refreshing: this.inFlight !== null,
    };
  }

  /**
   * Fetches, validates and stores a new copy. Concurrent calls share one fetch. With the built-in
   * copy or an uploaded file as the source there is nothing to fetch: the copy in use stays.
   */
  refresh(): Promise<RefreshOutcome> {
    const url = this.fetchUrl();
    if (url === null) return Promise.resolve({ ok: true, unchanged: true, error: null });
    this.inFlight ??= this.fetchAndStore(url).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /**
   * Stores a catalog file the admin uploaded as the copy in use (validated like a fetched one).
   * Throws CatalogRejectedError when it is not a usable catalog; nothing changes then.
   */
  async storeUpload(fileName: string, text: string): Promise<void> {
    const at = new Date(this.clock.now());
    const parsed = parseCatalog(text);
    const sha256 = createHash('sha256').update(text).digest('hex');
    const row = {
      sourceUrl: `${UPLOAD_PREFIX}${fileName}`,
      fetchedAt: at,
      sha256,
      entryCount: parsed.entries.length,
      skippedCount: parsed.skipped.length,
      data: text,
    };
    await this.db.catalogSnapshot.upsert({ where: { id: SNAPSHOT_ID }, create: { id: SNAPSHOT_ID, ...row }, update: row });
    this.index = new CatalogIndex(parsed.entries);
    this.stored = { fetchedAt: at, sha256, entryCount: row.entryCount, skippedCount: row.skippedCount, sourceUrl: row.sourceUrl };
    await this.recordAttempt(at, null);
    this.logger.info({ entries: row.entryCount, fileName }, 'catalog uploaded');
  }

  /** The index, fetching once first if no copy was ever stored (the built-in copy answers when that fails). */
  async ensureLoaded(): Promise<CatalogIndex | null> {
    if (!this.stored) await this.refresh();
    return this.current;
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

  private async fetchAndStore(url: string): Promise<RefreshOutcome> {
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
