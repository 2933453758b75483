import { GatewayError, invalidRequest } from '../core/error.js';
import type { GenerationContext } from '../proxy/pipeline/context.js';
import type { Resolved } from '../proxy/pipeline/resolve-model.js';
import { wireOf } from '../proxy/providers/endpoints.js';
import { relaySettingsOf } from '../proxy/providers/relay-settings.js';
import type { ProviderEntry } from '../snapshot/types.js';
import { captureResponse } from './capture.js';
import { expandedBody, inputItems } from './conversation.js';
import type { ResponseStore } from './store.js';
import type { StoredResponse } from './types.js';

/** `previous_response_id` of a Responses body (absent or null → undefined; anything but a string → 400). */
export function previousResponseIdOf(body: Record<string, unknown>): string | undefined {
  const id = body.previous_response_id;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string' || id === '')
    throw invalidRequest("Invalid type for 'previous_response_id': expected a non-empty string.", 'previous_response_id');
  return id;
}

function notFound(id: string): GatewayError {
  return new GatewayError({
    status: 400,
    kind: 'invalid_request',
    message: `Previous response with id '${id}' not found.`,
    param: 'previous_response_id',
    code: 'previous_response_not_found',
  });
}

/** A Responses upstream that keeps what it answers (storing not forced off by relay settings). */
function storingResponsesUpstream(resolved: Resolved): ProviderEntry | undefined {
  if (resolved.kind !== 'model') return undefined;
  const provider = resolved.model.provider;
  if (wireOf(provider) !== 'openai-responses' || relaySettingsOf(provider)?.forceStoreFalse) return undefined;
  return provider;
}

/**
 * The Responses ingress's one call into the store, after the model is
 * resolved and before routing. With `previous_response_id`:
 * - an id this key did not store (unknown, expired, another key's): OpenAI's
 *   400 `previous_response_not_found`;
 * - the upstream is the Responses provider that stored that response itself:
 *   the id passes through and the upstream continues its own copy;
 * - otherwise the stored conversation and then the new input become the
 *   request (re-decoded), so any upstream — stateless, another format, another
 *   provider — sees the whole conversation.
 * Then, unless `store: false`, the answer is watched and kept for follow-ups.
 */
export async function continueConversation(
  ctx: GenerationContext,
  resolved: Resolved,
  previousId: string | undefined,
  store: ResponseStore,
  maxBytes: number,
): Promise<void> {
  const body = ctx.body;
  const storing = storingResponsesUpstream(resolved);
  let conversation = inputItems(body.input);

  if (previousId !== undefined) {
    const found = await store.get(previousId);
    // Only the key that created a response may continue it; to others it does not exist.
    const stored: StoredResponse | undefined = found?.keyId === ctx.key.id ? found : undefined;
    if (!stored) throw notFound(previousId);
    if (storing && stored.storedByProvider === storing.id) {
      conversation = [...stored.items, ...conversation];
    } else {
      const expanded = expandedBody(body, stored.items);
      ctx.body = expanded;
      ctx.rawBody = Buffer.from(JSON.stringify(expanded));
      ctx.request = ctx.client.decodeRequest(expanded);
      conversation = expanded.input as unknown[];
    }
  }

  if (body.store === false) return;
  const items = conversation;
  captureResponse(ctx.res, maxBytes, ({ id, output }) => {
    const entry: StoredResponse = { id, keyId: ctx.key.id, items: [...items, ...output] };
    if (storing) entry.storedByProvider = storing.id;
    store.put(entry);
  });
}
