import type { GuardrailMode } from '../snapshot/guardrail-entry.js';
import type { Finder } from './find.js';
import type { PlaceholderMap } from './placeholders.js';

/** What replaces a value under `redact`: says what was there, cannot be undone. */
export const redaction = (label: string): string => `[REDACTED_${label}]`;

/**
 * One guardrail over one text: the values it finds are counted and, under
 * `mask` / `redact`, replaced (`block` and `log` leave the text as it is).
 * `json`: the text is JSON (tool-call arguments), so replacements stay valid
 * inside its strings (placeholders and redactions need no escaping).
 */
export function applyToText(find: Finder, mode: GuardrailMode, text: string, masks: PlaceholderMap | undefined): { text: string; count: number } {
  const spans = find(text);
  if (!spans.length) return { text, count: 0 };
  if (mode === 'block' || mode === 'log') return { text, count: spans.length };
  let out = '';
  let at = 0;
  for (const s of spans) {
    const value = text.slice(s.start, s.end);
    out += text.slice(at, s.start) + (mode === 'mask' && masks ? masks.placeholder(s.label, value) : redaction(s.label));
    at = s.end;
  }
  return { text: out + text.slice(at), count: spans.length };
}
