import type { IncomingHttpHeaders } from 'node:http';
import type { CacheSettings, SemanticCacheSettings } from '../snapshot/cache-settings.js';
import type { KeyEntry } from '../snapshot/types.js';

/** What the cache does for one request. */
export interface CachePolicy {
  /** `key:<id>` (the key's own entries) or `shared`. */
  scope: string;
  ttlSeconds: number;
  /** Look for a stored answer (false with `x-gateway-cache: no-cache` or `no-store`). */
  read: boolean;
  /** Store the answer (false with `x-gateway-cache: no-store`). */
  write: boolean;
  semantic?: SemanticCacheSettings;
}

export const CACHE_HEADER = 'x-gateway-cache';
export const CACHE_TTL_HEADER = 'x-gateway-cache-ttl';

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
};

/** A TTL header the cache honours: whole seconds, at most a year. */
function ttlHeader(headers: IncomingHttpHeaders): number | undefined {
  const raw = header(headers, CACHE_TTL_HEADER);
  if (raw === undefined || !/^\d{1,8}$/.test(raw)) return undefined;
  const seconds = Number(raw);
  return seconds > 0 && seconds <= 31_536_000 ? seconds : undefined;
}

/** Whether a request could be cached at all, before its model is known (cheap: no parsing beyond two headers). */
export function mayCache(headers: IncomingHttpHeaders, key: KeyEntry, anyModelCaches: boolean): boolean {
  return key.cache?.enabled === true || anyModelCaches || (key.cache?.clientControl !== false && headers[CACHE_TTL_HEADER] !== undefined);
}

/**
 * The policy for one request, or undefined when caching is off for it.
 * On when the key or the virtual model turns it on, or the client sends
 * `x-gateway-cache-ttl` (entries are scoped per key, so that is harmless);
 * request headers count only while neither the key nor the model turned
 * client control off. TTL: header, then model, then key, then the default.
 * Shared when the model or the key says so.
 */
export function cachePolicy(headers: IncomingHttpHeaders, key: KeyEntry, model: CacheSettings | undefined, defaultTtlSeconds: number): CachePolicy | undefined {
  const clientControl = key.cache?.clientControl !== false && model?.clientControl !== false;
  const ttl = clientControl ? ttlHeader(headers) : undefined;
  const directive = clientControl ? header(headers, CACHE_HEADER) : undefined;
  const semantic = model?.semantic?.enabled ? model.semantic : undefined;
  if (!(key.cache?.enabled || model?.enabled || semantic || ttl !== undefined)) return undefined;
  return {
    scope: model?.shared || key.cache?.shared ? 'shared' : `key:${key.id}`,
    ttlSeconds: ttl ?? model?.ttlSeconds ?? key.cache?.ttlSeconds ?? defaultTtlSeconds,
    read: directive !== 'no-cache' && directive !== 'no-store',
    write: directive !== 'no-store',
    semantic,
  };
}
