import type { Logger } from 'pino';
import type { ResponseStoreBackend, StoredResponse } from './types.js';

/**
 * The store the Responses ingress talks to. Puts still in flight are awaited
 * by a get of the same id on this instance (read your own writes); with Redis,
 * a failing command falls back to this instance's memory, so a Redis outage
 * costs sharing, not the feature.
 */
export class ResponseStore {
  private readonly pending = new Map<string, Promise<void>>();
  private warned = false;

  constructor(
    private readonly primary: ResponseStoreBackend,
    private readonly logger: Logger,
    /** This instance's memory, used when the primary (Redis) fails; absent when the primary is memory. */
    private readonly fallback?: ResponseStoreBackend,
  ) {}

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.pending.get(id);
    try {
      return (await this.primary.get(id)) ?? (await this.fallback?.get(id));
    } catch (error) {
      if (!this.fallback) throw error;
      this.warnOnce(error);
      return this.fallback.get(id);
    }
  }

  /** Stores without making the caller wait; failures are logged, never thrown. */
  put(entry: StoredResponse): void {
    const json = JSON.stringify(entry);
    const done = this.primary
      .put(entry, json)
      .catch((error: unknown) => {
        if (!this.fallback) throw error;
        this.warnOnce(error);
        return this.fallback.put(entry, json);
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not store a response for previous_response_id'))
      .finally(() => {
        if (this.pending.get(entry.id) === done) this.pending.delete(entry.id);
      });
    this.pending.set(entry.id, done);
  }

  /** Waits for puts in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  async close(): Promise<void> {
    await this.settled();
    await Promise.all([this.primary.close(), this.fallback?.close()]);
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ err: error }, "stored responses: Redis failed, using this instance's memory");
  }
}
