/**
 * Gemini issues a `thoughtSignature` with each function call and wants it back
 * on the next turn. Chat Completions and Messages have no field for it, so it
 * rides inside the tool-call id the client echoes anyway:
 * `<id>__gts_<base64url(signature)>`. Decoders split it off again, so upstreams
 * other than Gemini see the original id.
 */
const MARK = '__gts_';

export function idWithSignature(id: string, signature: string | undefined): string {
  return signature ? `${id}${MARK}${Buffer.from(signature, 'utf8').toString('base64url')}` : id;
}

export function splitCallId(id: string): { id: string; signature?: string } {
  const at = id.indexOf(MARK);
  if (at === -1) return { id };
  return { id: id.slice(0, at), signature: Buffer.from(id.slice(at + MARK.length), 'base64url').toString('utf8') };
}
