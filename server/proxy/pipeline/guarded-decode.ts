import type { ProviderEntry } from '../../snapshot/types.js';
import { GatewayError } from '../../core/error.js';
import type { StreamDecoder } from '../../core/stream-event.js';

/**
 * Decoders read what an upstream sent; one that trips over an answer no one
 * foresaw (a null where an object belongs) must fail that request as the
 * upstream's fault, a 502, never as the gateway's 500.
 */
function unreadable(provider: ProviderEntry, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError({
    status: 502,
    kind: 'upstream',
    code: 'upstream_bad_response',
    message: `The provider "${provider.name}" sent an answer the gateway could not read`,
  });
}

export function decodeOrBadGateway<T>(provider: ProviderEntry, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw unreadable(provider, error);
  }
}

export function guardedDecoder(decoder: StreamDecoder, provider: ProviderEntry): StreamDecoder {
  return {
    push: (message) => decodeOrBadGateway(provider, () => decoder.push(message)),
    end: () => decodeOrBadGateway(provider, () => decoder.end()),
  };
}
