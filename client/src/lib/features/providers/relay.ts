/** The provider's options.relay as the form edits it (see the README, "Relay mode"). */
export interface RelayDraft {
  on: boolean;
  instructionsPolicy: string;
  upstreamInstructions: string;
  droppedFields: string;
  forceStoreFalse: boolean;
  forceStream: boolean;
}

export interface RelayDefaults {
  instructionsPolicy: string;
  upstreamInstructions: string;
  droppedFields: string[];
  forceStoreFalse: boolean;
  forceStream: boolean;
}

const NONE: RelayDefaults = { instructionsPolicy: 'passthrough', upstreamInstructions: '', droppedFields: [], forceStoreFalse: false, forceStream: false };

/** Stored options.relay over the preset's defaults. */
export function relayDraft(options: unknown, defaults: RelayDefaults | null | undefined): RelayDraft {
  const stored = (options as { relay?: Partial<RelayDefaults> } | null)?.relay;
  const merged = { ...NONE, ...defaults, ...stored };
  return {
    on: !!stored || !!defaults,
    instructionsPolicy: merged.instructionsPolicy,
    upstreamInstructions: merged.upstreamInstructions,
    droppedFields: (merged.droppedFields ?? []).join(', '),
    forceStoreFalse: merged.forceStoreFalse,
    forceStream: merged.forceStream,
  };
}

/** The provider options to save: other options kept, relay set or removed. */
export function withRelay(options: unknown, relay: RelayDraft, presetRelays: boolean): Record<string, unknown> {
  const { relay: _old, ...rest } = (options && typeof options === 'object' ? options : {}) as Record<string, unknown>;
  if (!relay.on && !presetRelays) return rest;
  return {
    ...rest,
    relay: {
      instructionsPolicy: relay.instructionsPolicy,
      upstreamInstructions: relay.upstreamInstructions,
      droppedFields: relay.droppedFields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
      forceStoreFalse: relay.forceStoreFalse,
      forceStream: relay.forceStream,
    },
  };
}
