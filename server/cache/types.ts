import type { CanonicalResponse } from '../core/response.js';

/** One cached answer, as stored (serialized JSON) in memory or Redis. */
export interface CacheEntry {
  response: CanonicalResponse;
  /** The model name the client asked for (a purge by model matches it). */
  model: string;
  /** The virtual key that wrote it (a purge by key matches it, shared entries included). */
  keyId: string;
  /** What the answer cost upstream (USD), reported as saved by each hit. */
  costUsd: number;
  /** Epoch ms. */
  storedAt: number;
}

/** Which entries a purge removes. */
export type CachePurge = { kind: 'key'; keyId: string } | { kind: 'model'; model: string };

/**
 * Where entries live. Implementations hold entries serialized (a reader never
 * shares an object with the writer) and expire them after their TTL. Every
 * method may throw (Redis down): the cache in response-cache.ts turns that
 * into "no caching", never into a client error.
 */
export interface CacheBackend {
  get(key: string): Promise<string | undefined>;
  /** `meta` is what a purge matches on. */
  set(key: string, json: string, ttlMs: number, meta: { keyId: string; model: string }): Promise<void>;
  /** Removes the matching entries; returns how many. */
  purge(which: CachePurge): Promise<number>;
  close(): Promise<void>;
}
