/**
 * Structural limits of a JSON body, checked on the raw bytes before it is
 * parsed. A body nested thousands of levels deep would overflow the stack in
 * any recursive walk after JSON.parse (JSON.stringify, schema conversion,
 * prompt rules); a body of millions of tiny elements makes every walk slow.
 * One iterative pass decides both, so no recursion ever sees such a body.
 */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays (the top-level object is depth 1). */
  maxDepth: number;
  /** Most elements in the whole body: object members plus array items. */
  maxElements: number;
}

export type JsonLimitViolation = { limit: 'depth'; max: number } | { limit: 'elements'; max: number };

/** JSON's structural bytes, for the scans over raw bodies here and in json-member.ts. */
export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACE = 0x7d;
export const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * The first limit the body breaks, or undefined. Malformed JSON is not judged
 * here (JSON.parse reports it); only depth and size are. Elements are counted
 * as containers opened plus separators, an upper bound that is exact for
 * bodies without empty containers.
 */
export function jsonLimitViolation(raw: Uint8Array, limits: JsonLimits): JsonLimitViolation | undefined {
  let depth = 0;
  let elements = 0;
  const length = raw.length;
  for (let i = 0; i < length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      // Jump over the string (native search): structure characters inside it do not count.
      i = closingQuote(raw, i);
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > limits.maxDepth) return { limit: 'depth', max: limits.maxDepth };
      if (++elements > limits.maxElements) return { limit: 'elements', max: limits.maxElements };
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    } else if (byte === COMMA) {
      if (++elements > limits.maxElements) return { limit: 'elements', max: limits.maxElements };
    }
  }
  return undefined;
}

/** The refusal a client reads, naming the limit and the setting that raises it. */
export function jsonLimitMessage(violation: JsonLimitViolation): string {
  return violation.limit === 'depth'
    ? `Request body is nested deeper than the limit of ${violation.max} levels (MAX_JSON_DEPTH)`
    : `Request body has more than the limit of ${violation.max} JSON elements (MAX_JSON_ELEMENTS)`;
}

/** Index of the quote closing the string opened at `open` (or the end): a quote preceded by an even run of backslashes. */
export function closingQuote(raw: Uint8Array, open: number): number {
  let at = raw.indexOf(QUOTE, open + 1);
  while (at !== -1) {
    let backslashes = 0;
    while (raw[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = raw.indexOf(QUOTE, at + 1);
  }
  return raw.length;
}
