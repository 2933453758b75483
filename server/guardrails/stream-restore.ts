import { couldBePlaceholder, type PlaceholderMap } from './placeholders.js';

/**
 * Restores placeholders in a text that arrives in pieces (stream deltas). A
 * placeholder may be split anywhere, so the end of what has arrived is held
 * back while it could still be the start of one (`[`, `[EM`, `[EMAIL_`, …),
 * and released as soon as it is complete or proven not to be one.
 */
export class StreamRestorer {
  private held = '';

  constructor(
    private readonly map: PlaceholderMap,
    /** The text is JSON (tool-call arguments): values are written JSON-escaped. */
    private readonly json = false,
  ) {}

  /** The next piece in; what can be sent now out. */
  push(piece: string): string {
    const text = this.held + piece;
    const cut = this.holdFrom(text);
    this.held = text.slice(cut);
    return this.map.restore(text.slice(0, cut), this.json);
  }

  /** The stream's block ended: whatever is held goes out as it is. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return this.map.restore(rest, this.json);
  }

  /** Where the possibly unfinished placeholder at the end of `text` starts (text.length when there is none). */
  private holdFrom(text: string): number {
    const open = text.lastIndexOf('[');
    if (open === -1) return text.length;
    return couldBePlaceholder(text.slice(open)) ? open : text.length;
  }
}
