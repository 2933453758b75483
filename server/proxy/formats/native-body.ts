import type { ClientApi } from '../../core/wire.js';
import type { CanonicalRequest } from '../../core/request.js';
import { NATIVE_WIRE, UPSTREAM_FORMATS } from './registry.js';

/** The body fields that carry a conversation in each client API. */
const CONVERSATION_FIELDS: Record<ClientApi, readonly string[]> = {
  'chat-completions': ['messages'],
  responses: ['instructions', 'input'],
  messages: ['system', 'messages'],
};

/**
 * A client's own body with its conversation replaced by the (rewritten)
 * canonical messages, encoded by the API's own wire encoder. Every other field
 * (sampling, tools, unknown and future fields) is the client's, untouched, so a
 * same-format passthrough still carries them. What does not survive is what the
 * canonical model has no room for inside a message (e.g. a chat message's
 * `audio`): the price of rewriting, paid only when a rule fired.
 */
export function rewriteNativeBody(api: ClientApi, request: CanonicalRequest, body: Record<string, unknown>, upstreamModel: string): Record<string, unknown> {
  const encoded = UPSTREAM_FORMATS[NATIVE_WIRE[api]].encodeRequest(request, { upstreamModel });
  const out: Record<string, unknown> = { ...body, model: upstreamModel };
  for (const field of CONVERSATION_FIELDS[api]) {
    if (encoded[field] === undefined) delete out[field];
    else out[field] = encoded[field];
  }
  return out;
}
