import type { Span } from './find.js';

/** How much of a streamed block's end stays unsent, so a value split across deltas is still found whole. */
export const SCAN_HOLDBACK = 160;

/** What a streamed block is checked with: where values are (every guardrail), and the check itself on a piece. */
export interface PieceCheck {
  find(text: string): Span[];
  /** Counts, replaces or refuses (throws) what the piece holds; returns what is sent. */
  apply(text: string): string;
}

/**
 * Checks a text that arrives in pieces (answer deltas) against response-stage
 * guardrails. The last SCAN_HOLDBACK characters, and any value that reaches
 * into them, are held until more text or the block's end arrives, so a value
 * split across deltas is found whole and handled once. A value longer than
 * the holdback that is still arriving (a PEM block) is only found in whole
 * answers.
 */
export class StreamScanner {
  private held = '';

  constructor(private readonly check: PieceCheck) {}

  push(piece: string): string {
    this.held += piece;
    if (this.held.length <= SCAN_HOLDBACK) return '';
    const cut = sendableUpTo(this.held, this.check.find(this.held));
    const ready = this.held.slice(0, cut);
    this.held = this.held.slice(cut);
    return ready ? this.check.apply(ready) : '';
  }

  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest ? this.check.apply(rest) : '';
  }
}

/** Where to stop sending `text` for now: before the holdback, and before any value that reaches past that point. */
export function sendableUpTo(text: string, spans: readonly Span[]): number {
  let cut = Math.max(0, text.length - SCAN_HOLDBACK);
  for (const s of spans) if (s.start < cut && s.end > cut) cut = s.start;
  // Never between the halves of a surrogate pair.
  const c = text.charCodeAt(cut - 1);
  if (cut > 0 && c >= 0xd800 && c <= 0xdbff) cut--;
  return cut;
}
