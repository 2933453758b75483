/**
 * Relay mode: how the gateway talks to an upstream that forces its own
 * instructions on every request (a Codex backend behind a relay service is the
 * common case). Settings live in the provider's `options.relay`; presets may
 * bring defaults (see proxy/providers/presets.ts, "codex-relay").
 */

/**
 * - passthrough: the client's instructions go upstream as they are
 * - fill-if-empty: the configured upstream instructions only when the client sent none
 * - prepend: upstream instructions, then the client's
 * - isolate: upstream instructions as `instructions`; the client's own move into a
 *   leading `developer` item marked as governing this conversation
 */
export const INSTRUCTIONS_POLICIES = ['passthrough', 'fill-if-empty', 'prepend', 'isolate'] as const;
export type InstructionsPolicy = (typeof INSTRUCTIONS_POLICIES)[number];

export interface RelaySettings {
  instructionsPolicy: InstructionsPolicy;
  /** The text the upstream insists on (supplied by the admin, never shipped). */
  upstreamInstructions: string;
  /** Top-level request fields the upstream rejects; removed before sending. */
  droppedFields: string[];
  /** Send `store: false` whatever the client asked. */
  forceStoreFalse: boolean;
  /** Always stream from the upstream; a non-streaming client still gets one whole answer. */
  forceStream: boolean;
}

/** Fields a preset may default; the provider's own options.relay wins field by field. */
export type RelayDefaults = Partial<RelaySettings>;
