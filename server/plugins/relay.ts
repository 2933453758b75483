import type { ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';
import { relaySettingsOf } from '../proxy/providers/relay-settings.js';
import { relayRequestBody } from './relay-request.js';

/**
 * Relay mode: for a provider configured as a relay (a Responses upstream with
 * its own instructions policy), the outgoing body is reshaped
 * (relay-request.ts) and may be sent as a stream the client did not ask for
 * (the pipeline then assembles one answer from it). What the gateway injected
 * is counted as injected tokens.
 */
export function useRelay(): ProxyPlugin {
  return {
    name: 'relay',
    request: () => hooks,
  };
}

// Stateless: one hooks object serves every request.
const hooks: RequestHooks = {
  onPrepareUpstream(up) {
    if (up.op === 'count_tokens') return;
    const settings = relaySettingsOf(up.model.provider);
    if (!settings) return;
    const { body, injected } = relayRequestBody(up.body, settings);
    up.replace(body);
    up.injected = injected;
    up.expectStream = body.stream === true;
  },
};
