import { CUSTOM_INPUT_FIELD, customInputFromArguments } from './tool-names.js';

const OPENING = new RegExp(`^\\s*\\{\\s*"${CUSTOM_INPUT_FIELD}"\\s*:\\s*"`);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Streams the raw input of a freeform call out of the JSON arguments an upstream
 * streams for its function form (`{"input":"…"}`), decoding the string as it
 * arrives so `custom_tool_call_input.delta` events flow as the model writes.
 * Arguments of another shape are held and resolved once complete.
 */
export class CustomInputStream {
  private buffer = '';
  private pos = -1;
  private state: 'opening' | 'string' | 'done' | 'other' = 'opening';
  private emitted = '';

  /** Adds an arguments fragment; returns newly decoded input text (possibly empty). */
  push(fragment: string): string {
    this.buffer += fragment;
    if (this.state === 'opening') {
      const match = OPENING.exec(this.buffer);
      if (match) {
        this.state = 'string';
        this.pos = match[0].length;
      } else if (this.buffer.length > 64) this.state = 'other'; // not `{"input": "…`, even pretty-printed
    }
    if (this.state !== 'string') return '';
    let out = '';
    while (this.pos < this.buffer.length) {
      const ch = this.buffer[this.pos];
      if (ch === '"') {
        this.state = 'done';
        break;
      }
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const next = this.buffer[this.pos + 1];
      if (next === undefined) break;
      if (next === 'u') {
        const hex = this.buffer.slice(this.pos + 2, this.pos + 6);
        if (hex.length < 4) break;
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
        continue;
      }
      out += ESCAPES[next] ?? next;
      this.pos += 2;
    }
    this.emitted += out;
    return out;
  }

  /** The arguments are complete: whatever input text was not streamed yet, and the whole input. */
  end(): { rest: string; input: string } {
    const input = customInputFromArguments(this.buffer);
    const rest = input.startsWith(this.emitted) ? input.slice(this.emitted.length) : '';
    // `input` always agrees with the deltas already sent.
    return { rest, input: this.emitted + rest };
  }
}
