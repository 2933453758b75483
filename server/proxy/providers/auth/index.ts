import type { ProviderEntry } from '../../../snapshot/types.js';
import type { OutgoingRequest, PrepareRequest } from '../../upstream/http-client.js';
import type { AuthStyle } from '../presets.js';
import { bedrockStep } from './aws-sigv4.js';
import { entraIdStep, entraOptionsOf } from './entra-id.js';
import { googleServiceAccountStep } from './google-service-account.js';

/** Vertex's Anthropic endpoints take the model from the URL and the API version in the body. */
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** A Messages body for rawPredict / streamRawPredict: no `model`, `anthropic_version` set. */
export function vertexAnthropicBody(body: string | Buffer): string {
  const json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as Record<string, unknown>;
  delete json.model;
  json.anthropic_version = VERTEX_ANTHROPIC_VERSION;
  return JSON.stringify(json);
}

/**
 * The credential step a provider's requests go through before sending
 * (see PrepareRequest), or none when a static header does (upstreamHeaders).
 */
export function credentialStep(provider: ProviderEntry, auth: AuthStyle, urlStyle: string | undefined): PrepareRequest | undefined {
  switch (auth) {
    case 'aws-sigv4':
      return bedrockStep(provider);
    case 'google-service-account':
      return googleServiceAccountStep(provider, urlStyle === 'vertex-anthropic' ? vertexAnthropicForPredict : undefined);
    case 'api-key': {
      const entra = entraOptionsOf(provider);
      return entra ? entraIdStep(provider, entra) : undefined;
    }
    case 'bearer':
    case 'x-api-key':
    case 'x-goog-api-key':
      return undefined;
    default: {
      const _exhaustive: never = auth;
      return _exhaustive;
    }
  }
}

/** Generation calls take the reshaped body, whether it is the client's own bytes or encoded text; count-tokens keeps its `model`. */
function vertexAnthropicForPredict(request: OutgoingRequest): OutgoingRequest {
  if (request.body === undefined || request.url.includes('/count-tokens:')) return request;
  return { ...request, body: vertexAnthropicBody(request.body) };
}

/** Whether a static credential header is sent (not when a credential step authenticates instead). */
export function usesStaticKey(provider: ProviderEntry, auth: AuthStyle): boolean {
  if (auth === 'aws-sigv4' || auth === 'google-service-account') return false;
  return !(auth === 'api-key' && entraOptionsOf(provider));
}
