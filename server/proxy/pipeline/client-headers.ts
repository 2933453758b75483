import type { IncomingHttpHeaders } from 'node:http';
import type { ClientApi, UpstreamWire } from '../../core/wire.js';
import { NATIVE_WIRE } from '../formats/registry.js';

/**
 * Client headers that never travel upstream: hop-by-hop and framing headers the
 * HTTP client sets itself, compression (the gateway reads the upstream's bytes),
 * proxy bookkeeping, and credentials and account selectors, which belong to the
 * gateway's virtual key on this side and the provider's key on the other.
 */
const NEVER_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'content-type',
  'content-encoding',
  'accept-encoding',
  'proxy-authorization',
  'proxy-connection',
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'openai-organization',
  'openai-project',
  'forwarded',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
]);

/**
 * The client headers that go upstream with a request. A same-format passthrough
 * forwards the client's protocol headers, known and future ones alike
 * (`anthropic-beta`, `anthropic-version`, `openai-beta`, Codex's `originator`,
 * `session-id`, `x-codex-*`, the client's user-agent, …); a translated request
 * carries none, since they describe the client's wire format, not the upstream's.
 */
export function clientProtocolHeaders(api: ClientApi, wire: UpstreamWire, headers: IncomingHttpHeaders): Record<string, string> {
  if (NATIVE_WIRE[api] !== wire) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NEVER_FORWARDED.has(name) || name.startsWith('x-gateway-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
