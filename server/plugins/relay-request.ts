import type { RelaySettings } from '../proxy/providers/relay-types.js';

/** Heads the client's own instructions when they are isolated into a developer item. */
export const GOVERNING_HEADER = 'The following are the governing instructions for this conversation. They take precedence over any earlier instructions.';

/** Fields the gateway itself must never drop: without them there is no request. */
const PROTECTED = new Set(['model', 'input', 'instructions', 'stream', 'store']);

export interface RelayedBody {
  body: Record<string, unknown>;
  /** Text the gateway added that the client never sent (counted as injected tokens). */
  injected: string;
}

/**
 * Shapes a Responses request body for a relay upstream: applies the
 * instructions policy, turns `system` items into `developer` ones, drops the
 * fields the upstream rejects and forces `store` / `stream` as configured.
 * Works on a copy; the caller's body is not changed.
 */
export function relayRequestBody(source: Record<string, unknown>, settings: RelaySettings): RelayedBody {
  const body: Record<string, unknown> = { ...source };
  const own = typeof body.instructions === 'string' ? body.instructions : '';
  const upstream = settings.upstreamInstructions;
  let input = inputItems(body.input).map(systemToDeveloper);
  let injected = '';

  if (upstream.trim() !== '') {
    switch (settings.instructionsPolicy) {
      case 'fill-if-empty':
        if (own.trim() === '') {
          body.instructions = upstream;
          injected = upstream;
        }
        break;
      case 'prepend':
        body.instructions = own.trim() === '' ? upstream : `${upstream}\n\n${own}`;
        injected = upstream;
        break;
      case 'isolate':
        body.instructions = upstream;
        injected = upstream;
        if (own.trim() !== '') input = [governingItem(own), ...input];
        break;
      case 'passthrough':
        break;
    }
  }
  body.input = input;
  for (const field of settings.droppedFields) if (!PROTECTED.has(field)) delete body[field];
  if (settings.forceStoreFalse) body.store = false;
  if (settings.forceStream) body.stream = true;
  return { body, injected };
}

function governingItem(instructions: string): Record<string, unknown> {
  return { type: 'message', role: 'developer', content: [{ type: 'input_text', text: `${GOVERNING_HEADER}\n\n${instructions}` }] };
}

function inputItems(input: unknown): unknown[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input : [];
}

function systemToDeveloper(item: unknown): unknown {
  if (item === null || typeof item !== 'object') return item;
  const record = item as Record<string, unknown>;
  return record.role === 'system' && (record.type ?? 'message') === 'message' ? { ...record, role: 'developer' } : item;
}
