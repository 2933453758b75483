import { errors as undiciErrors } from '../../http/undici.js';
import { GatewayError } from '../../core/error.js';
import type { UpstreamFormat } from '../formats/format.js';
import type { ProviderEntry } from '../../snapshot/types.js';
import { scrubText } from '../../secrets/redactor.js';

/** How much of an upstream error body is read. */
export const MAX_ERROR_BODY = 64 * 1024;

/** Reads at most 64 KiB of an upstream error body. */
export async function readErrorBody(body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    if (size >= MAX_ERROR_BODY) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
}

/**
 * Maps an upstream HTTP error to what the client sees: the request's own
 * mistakes keep their status and message; credential failures become a
 * gateway-side error without the key; 429 and 5xx keep their status.
 */
export function upstreamHttpError(
  status: number,
  text: string,
  retryAfterHeader: string | undefined,
  format: UpstreamFormat,
  provider: ProviderEntry,
): GatewayError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  // The process-wide scrubber knows this provider's key and headers (registered from the snapshot).
  const upstreamMessage = scrubText(format.decodeErrorMessage(status, body) || `HTTP ${status}`, [provider.apiKey]);
  const retryAfter = retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
  if (status === 401 || status === 403) {
    return new GatewayError({
      status: 502,
      kind: 'upstream_auth',
      code: 'upstream_credentials_rejected',
      message: `The provider "${provider.name}" rejected the gateway's credentials (HTTP ${status}). An administrator must check the provider's API key.`,
    });
  }
  if (status === 429) {
    return new GatewayError({ status: 429, kind: 'rate_limit', message: `Upstream rate limit: ${upstreamMessage}`, retryAfter });
  }
  if (status === 404) return new GatewayError({ status: 404, kind: 'not_found', message: upstreamMessage });
  if (status === 413) return new GatewayError({ status: 413, kind: 'request_too_large', message: upstreamMessage });
  if (status >= 400 && status < 500) return new GatewayError({ status: 400, kind: 'invalid_request', message: upstreamMessage });
  if (status === 529 || status === 503) {
    return new GatewayError({ status, kind: 'overloaded', message: `Upstream unavailable: ${upstreamMessage}`, retryAfter });
  }
  return new GatewayError({ status: status >= 500 && status <= 599 ? status : 502, kind: 'upstream', message: `Upstream error: ${upstreamMessage}` });
}

/** Connection failures become 502, timeouts 504. */
export function upstreamTransportError(error: unknown, provider: ProviderEntry): GatewayError {
  // Already judged (a provider's credential step refused): passed on as it is.
  if (error instanceof GatewayError) return error;
  const isTimeout =
    error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.ConnectTimeoutError;
  if (isTimeout) {
    return new GatewayError({ status: 504, kind: 'timeout', message: `The provider "${provider.name}" did not answer in time` });
  }
  const code = (error as { code?: string })?.code;
  return new GatewayError({
    status: 502,
    kind: 'upstream',
    code: 'upstream_unreachable',
    message: `Could not reach the provider "${provider.name}"${code ? ` (${code})` : ''}`,
  });
}
