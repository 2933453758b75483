/**
 * Anthropic's signed thinking, carried through a Responses client. Anthropic wants
 * its thinking blocks back verbatim on the next turn of a tool loop; a Responses
 * client keeps only what its reasoning items hold, and sends `encrypted_content`
 * back untouched (Codex does, with `store: false`). So the thinking text and its
 * signature (or the redacted data) ride in that field, marked as the gateway's,
 * and are unpacked into a thinking block again on the way in.
 */
const MARK = 'gw-thinking.';

export interface SignedThinking {
  text: string;
  signature?: string;
  redactedData?: string;
}

export function packThinking(thinking: SignedThinking): string {
  const value = thinking.redactedData !== undefined ? { r: thinking.redactedData } : { t: thinking.text, s: thinking.signature };
  return MARK + Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The thinking packed by `packThinking`, or undefined for real OpenAI state. */
export function unpackThinking(encrypted: string): SignedThinking | undefined {
  if (!encrypted.startsWith(MARK)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(encrypted.slice(MARK.length), 'base64url').toString('utf8')) as { t?: unknown; s?: unknown; r?: unknown };
    if (typeof value.r === 'string') return { text: '', redactedData: value.r };
    if (typeof value.t === 'string' && typeof value.s === 'string') return { text: value.t, signature: value.s };
  } catch {
    /* not ours after all */
  }
  return undefined;
}
