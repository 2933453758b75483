import type { ProviderEntry } from '../../snapshot/types.js';
import { presetOf, wireOf } from './endpoints.js';
import { INSTRUCTIONS_POLICIES, type InstructionsPolicy, type RelaySettings } from './relay-types.js';

const BASE: RelaySettings = {
  instructionsPolicy: 'passthrough',
  upstreamInstructions: '',
  droppedFields: [],
  forceStoreFalse: false,
  forceStream: false,
};

// Provider entries are rebuilt with every snapshot, so settings are read once per entry.
const cache = new WeakMap<ProviderEntry, RelaySettings | null>();

/**
 * The relay settings of a provider, or null when relay mode is off. Relay mode
 * applies to Responses-wire providers only, and is on when the provider has an
 * `options.relay` object or its preset brings relay defaults. Malformed values
 * fall back to the defaults (the admin API validates them when saved).
 */
export function relaySettingsOf(provider: ProviderEntry): RelaySettings | null {
  let settings = cache.get(provider);
  if (settings === undefined) {
    settings = readSettings(provider);
    cache.set(provider, settings);
  }
  return settings;
}

function readSettings(provider: ProviderEntry): RelaySettings | null {
  if (wireOf(provider) !== 'openai-responses') return null;
  const defaults = presetOf(provider).relay;
  const stored = provider.options.relay;
  const own = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : undefined;
  if (!defaults && !own) return null;
  const merged: RelaySettings = { ...BASE, ...defaults };
  if (!own) return merged;
  if (INSTRUCTIONS_POLICIES.includes(own.instructionsPolicy as InstructionsPolicy)) merged.instructionsPolicy = own.instructionsPolicy as InstructionsPolicy;
  if (typeof own.upstreamInstructions === 'string') merged.upstreamInstructions = own.upstreamInstructions;
  if (Array.isArray(own.droppedFields)) merged.droppedFields = own.droppedFields.filter((f): f is string => typeof f === 'string' && f !== '');
  if (typeof own.forceStoreFalse === 'boolean') merged.forceStoreFalse = own.forceStoreFalse;
  if (typeof own.forceStream === 'boolean') merged.forceStream = own.forceStream;
  return merged;
}
