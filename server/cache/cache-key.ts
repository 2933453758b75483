import { createHash } from 'node:crypto';
import type { CanonicalRequest } from '../core/request.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Fields of the canonical request that do not change the answer: how it is
 * delivered (`stream`, `includeUsage`), who asks (`user`, `metadata`), provider
 * hints (`promptCacheKey`, `serviceTier`, `store`) and the decoder's notes.
 * Everything else — model as the client named it, messages with their images,
 * tools, tool choice, sampling, response format, reasoning — is in the key.
 */
const NOT_IN_KEY = new Set<keyof CanonicalRequest>([
  'stream',
  'includeUsage',
  'user',
  'metadata',
  'promptCacheKey',
  'serviceTier',
  'store',
  'unmapped',
  'warnings',
]);

/**
 * The entry key of a request: sha256 over the scope (a virtual key's id, or
 * `shared`) and the canonical request in canonical JSON. Because the request
 * is canonical, a Messages client finds what a Chat client stored. Client
 * fields the canonical model does not carry (`request.unmapped`) go in with
 * their raw values, so two requests that differ only there never share an answer.
 */
export function cacheKeyOf(request: CanonicalRequest, body: Record<string, unknown>, scope: string): string {
  const keyed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request)) {
    if (!NOT_IN_KEY.has(name as keyof CanonicalRequest)) keyed[name] = value;
  }
  if (request.unmapped?.length) {
    const extra: Record<string, unknown> = {};
    for (const name of request.unmapped) extra[name] = body[name] ?? null;
    keyed.unmapped = extra;
  }
  return createHash('sha256').update(scope).update('\n').update(canonicalJson(keyed)).digest('hex');
}
