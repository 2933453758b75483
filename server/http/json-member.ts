import { CLOSE_BRACE, CLOSE_BRACKET, closingQuote, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-limits.js';

/** Where a value sits in a JSON text: bytes [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

const COLON = 0x3a;

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * The bytes of the string value of the top-level object's member `name` (its
 * last occurrence, the one JSON.parse keeps), quotes included; undefined when
 * there is none, the value is not a string, or the key is spelled with escapes.
 * One pass that jumps over strings natively, like jsonLimitViolation: a
 * body's model can be renamed in its bytes instead of re-serializing the
 * whole body (agents send hundreds of kilobytes per request).
 */
export function topLevelStringMember(raw: Uint8Array, name: string): ByteRange | undefined {
  const key = Buffer.from(name, 'utf8');
  let depth = 0;
  let found: ByteRange | undefined;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === QUOTE) {
      const close = closingQuote(raw, i);
      if (depth === 1 && close - i - 1 === key.length && key.equals(raw.subarray(i + 1, close))) {
        let at = close + 1;
        while (isSpace(raw[at])) at++;
        if (raw[at] === COLON) {
          at++;
          while (isSpace(raw[at])) at++;
          if (raw[at] === QUOTE) {
            const end = closingQuote(raw, at) + 1;
            found = end <= raw.length ? { start: at, end } : undefined;
            i = end - 1;
            continue;
          }
          found = undefined; // a later non-string value wins over an earlier string
        }
      }
      i = close;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return found;
}

/** `raw` with the bytes of `range` replaced by `text`. */
export function spliceBytes(raw: Buffer, range: ByteRange, text: string): Buffer {
  return Buffer.concat([raw.subarray(0, range.start), Buffer.from(text, 'utf8'), raw.subarray(range.end)]);
}
