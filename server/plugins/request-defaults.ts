import type { ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';
import { defaultBodyFields } from '../proxy/providers/request-defaults.js';

/** The fields a count_tokens body may carry; other defaults (sampling, limits) would make Anthropic refuse it. */
const COUNT_TOKENS_FIELDS = new Set(['system', 'tools', 'tool_choice', 'thinking', 'mcp_servers']);

/**
 * A model's request-default body fields (set by an admin) fill what the
 * outgoing request lacks — the client always wins. Applied on the wire body,
 * so passthrough and translated requests get the same treatment. (The
 * model's default headers go with every call to it: proxy/pipeline/upstream-call.ts.)
 */
export function useRequestDefaults(): ProxyPlugin {
  return {
    name: 'request-defaults',
    request: () => hooks,
  };
}

// Stateless: one hooks object serves every request.
const hooks: RequestHooks = {
  onPrepareUpstream(up) {
    const defaults = defaultBodyFields(up.model);
    if (!defaults) return;
    for (const [name, value] of Object.entries(defaults)) {
      if (up.body[name] !== undefined) continue;
      if (up.op === 'count_tokens' && !COUNT_TOKENS_FIELDS.has(name)) continue;
      up.edit()[name] = value;
    }
  },
};
