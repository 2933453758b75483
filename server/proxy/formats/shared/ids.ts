import { randomBytes } from 'node:crypto';

/** Ids in the style each API uses (`chatcmpl-…`, `resp_…`, `msg_…`, `call_…`, `toolu_…`). */
export function makeId(prefix: string, bytes = 12): string {
  return prefix + randomBytes(bytes).toString('base64url');
}
