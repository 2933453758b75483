import type { CanonicalResponse } from '../core/response.js';
import type { CacheMark, GenerationContext, ProxyPlugin } from '../proxy/pipeline/plugin.js';
import { requestCost } from '../proxy/pipeline/cost.js';
import { cacheKeyOf } from './cache-key.js';
import { CACHE_HEADER, cachePolicy, mayCache, type CachePolicy } from './policy.js';
import type { ResponseCache } from './response-cache.js';
import type { SemanticCache } from './semantic.js';

/** Answers worth serving again: ended by the model itself, not cut by an error, a filter or a pause. */
const STORABLE: ReadonlySet<CanonicalResponse['finishReason']> = new Set(['stop', 'stop_sequence', 'length', 'tool_calls']);

export interface ResponseCacheOptions {
  /** Milliseconds between text deltas when a hit is replayed as a stream. */
  streamIntervalMs: number;
  semantic?: SemanticCache;
}

/**
 * The response cache as a plugin. After prompt rules (the plugins before it),
 * onResolved hashes the canonical request (cache-key.ts): a stored answer is
 * served as the plugin's own answer — JSON or a paced stream in the client's
 * format, so any client format can hit an entry another wrote; otherwise the
 * request goes upstream and onComplete stores the answer if it came back
 * whole and successful. Every response of a request with caching on carries
 * `x-gateway-cache: hit | miss | bypass`.
 */
export function useResponseCache(cache: ResponseCache, options: ResponseCacheOptions): ProxyPlugin {
  return {
    name: 'response-cache',
    request(ctx) {
      if (ctx.endpoint !== 'chat-completions' && ctx.endpoint !== 'responses' && ctx.endpoint !== 'messages') return undefined;
      const snapshot = ctx.deps.snapshot.current;
      if (!ctx.key || !mayCache(ctx.req.headers, ctx.key, snapshot.virtualModelCache.size > 0)) return undefined;
      let policy: CachePolicy | undefined;
      let semanticVector: number[] | undefined;
      const mark = (gen: GenerationContext, value: CacheMark) => {
        gen.cache = value;
        gen.res.setHeader(CACHE_HEADER, value.status);
      };
      return {
        async onResolved(gen, resolved) {
          const settings = resolved.kind === 'route' ? snapshot.virtualModelCache.get(resolved.route.name) : undefined;
          policy = cachePolicy(gen.req.headers, gen.key, settings, cache.limits.defaultTtlSeconds);
          if (!policy) return;
          // Masked values all look alike ([EMAIL_1]) while the answer kept is restored: never shared between callers.
          if (gen.guardrails?.some((g) => g.mode === 'mask' && g.stage === 'request')) return void mark(gen, { status: 'bypass' });
          if (gen.rawBody.length > cache.limits.maxEntryBytes) return void mark(gen, { status: 'bypass' });
          if (!policy.read && !policy.write) return void mark(gen, { status: 'bypass' });
          const key = cacheKeyOf(gen.request, gen.body, policy.scope);
          if (policy.read) {
            const entry = await cache.lookup(key);
            if (entry) {
              mark(gen, { status: 'hit', key, savedUsd: entry.costUsd });
              return { response: entry.response, headers: { [CACHE_HEADER]: 'hit' }, streamIntervalMs: options.streamIntervalMs };
            }
            if (policy.semantic && options.semantic) {
              const found = await options.semantic.lookup(gen, policy, resolved);
              semanticVector = found.vector;
              if (found.hit) {
                mark(gen, { status: 'hit', key: found.hit.key, savedUsd: found.hit.entry.costUsd, similarity: found.hit.similarity });
                return { response: found.hit.entry.response, headers: { [CACHE_HEADER]: 'hit' }, streamIntervalMs: options.streamIntervalMs };
              }
            }
          }
          mark(gen, { status: 'miss', key });
          // Streams too: the answer is assembled as it goes, for onComplete to store.
          if (policy.write) gen.keepResponse = true;
        },
        onComplete(ctx, outcome) {
          const marked = ctx.cache;
          if (!policy?.write || marked?.status !== 'miss' || !marked.key) return;
          const response = outcome.response;
          if (!response || outcome.failure || ctx.streamError || !ctx.completed || !STORABLE.has(response.finishReason)) return;
          const request = ctx.request!;
          const entry = {
            response,
            model: request.model,
            keyId: ctx.key!.id,
            costUsd: ctx.model ? requestCost(ctx.model, response.usage) : 0,
            storedAt: Date.now(),
          };
          const bytes = cache.store(marked.key, entry, policy.ttlSeconds);
          if (bytes > 0) marked.storedBytes = bytes;
          if (bytes > 0 && semanticVector && policy.semantic) options.semantic?.add(policy, request.model, marked.key, semanticVector, entry);
        },
      };
    },
  };
}
