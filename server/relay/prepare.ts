import type { ClientApi } from '../core/wire.js';
import type { CanonicalRequest } from '../core/request.js';
import type { PreparedBody } from '../proxy/pipeline/upstream-body.js';
import type { ProviderEntry } from '../snapshot/types.js';
import { relayRequestBody } from './request.js';
import { relaySettingsOf } from './settings.js';

/**
 * The relay step of body preparation. For relay providers the encoded body is
 * reshaped (relay/request.ts) and may be sent as a stream the client did not
 * ask for. Whenever what went upstream as `instructions` may differ from what a
 * Responses client sent (relay, or prompt rules on a passthrough), the answer's
 * echo is marked for restoring to the client's own value.
 */
export function applyRelay(
  api: ClientApi,
  request: CanonicalRequest,
  encoded: Pick<PreparedBody, 'body' | 'passthrough' | 'dropUsageChunk'>,
  provider: ProviderEntry,
  rewritten: boolean,
): PreparedBody {
  const settings = relaySettingsOf(provider);
  const echoInstructions = api === 'responses' && encoded.passthrough && (rewritten || settings) ? (request.instructions ?? null) : undefined;
  if (!settings) return { ...encoded, upstreamStream: request.stream, echoInstructions, injected: '' };
  const source = typeof encoded.body === 'string' ? encoded.body : encoded.body.toString('utf8');
  const { body, injected } = relayRequestBody(JSON.parse(source) as Record<string, unknown>, settings);
  return { ...encoded, body: JSON.stringify(body), upstreamStream: body.stream === true, echoInstructions, injected };
}
