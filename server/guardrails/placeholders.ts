/**
 * The reversible half of masking: each distinct value of one request gets a
 * stable placeholder (`[EMAIL_1]`, `[EMAIL_2]`, …; the same value always the
 * same one), and answers are restored from the map. The map belongs to one
 * request and is never logged.
 */
export class PlaceholderMap {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  get size(): number {
    return this.byPlaceholder.size;
  }

  placeholder(label: string, value: string): string {
    const known = this.byValue.get(value);
    if (known) return known;
    const n = (this.counts.get(label) ?? 0) + 1;
    this.counts.set(label, n);
    const placeholder = `[${label}_${n}]`;
    this.byValue.set(value, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  valueOf(placeholder: string): string | undefined {
    return this.byPlaceholder.get(placeholder);
  }

  /** Every known placeholder in `text` back to its value; `json`: the value is written inside a JSON string. */
  restore(text: string, json = false): string {
    if (!text.includes('[')) return text;
    return text.replace(PLACEHOLDER, (p) => {
      const value = this.byPlaceholder.get(p);
      if (value === undefined) return p;
      return json ? JSON.stringify(value).slice(1, -1) : value;
    });
  }
}

/** A placeholder as written: `[`, a label (capitals, digits, `_`), `_`, a number, `]`. */
export const PLACEHOLDER = /\[[A-Z][A-Z0-9_]*_[1-9]\d*\]/g;

/** Longest placeholder held back while a stream may still be completing one. */
export const MAX_PLACEHOLDER_LENGTH = 48;

/** Could `tail` (which starts with `[`) still grow into a placeholder? */
export function couldBePlaceholder(tail: string): boolean {
  return tail.length < MAX_PLACEHOLDER_LENGTH && /^\[(?:[A-Z][A-Z0-9_]*)?$/.test(tail);
}
