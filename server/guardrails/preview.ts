import type { GuardrailDraft } from './config.js';
import { applyToText } from './apply-text.js';
import { describe } from './answer-hooks.js';
import { compileFinder } from './find.js';
import { PlaceholderMap } from './placeholders.js';
import { blocked } from './refusals.js';

export interface GuardrailPreview {
  /** What the upstream would get (mask, redact), or the text unchanged (block, log). */
  text: string;
  /** The text an answer repeating `text` would be restored to (mask only; otherwise the same as `text`). */
  restored: string;
  /** Values found, by kind: `2 EMAIL, 1 PHONE`. */
  found: string;
  count: number;
  /** The refusal a client would get (block), when something was found. */
  blockedMessage?: string;
}

/** A draft guardrail (detectors, patterns, words) on a sample text, as the admin UI's test box shows it. */
export function previewGuardrail(draft: GuardrailDraft, sample: string): GuardrailPreview {
  const find = compileFinder(draft.config);
  const masks = new PlaceholderMap();
  const spans = find(sample);
  const { text, count } = applyToText(find, draft.mode, sample, masks);
  return {
    text,
    restored: masks.restore(text),
    found: describe(spans),
    count,
    ...(count && draft.mode === 'block' ? { blockedMessage: blocked(draft.name, 'request', describe(spans)).message } : {}),
  };
}
