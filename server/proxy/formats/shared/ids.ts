import { randomBytes } from 'node:crypto';

/** Random bytes drawn a few kilobytes at a time: one call into the system's generator per ~300 ids, not per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** Ids in the style each API uses (`chatcmpl-…`, `resp_…`, `msg_…`, `call_…`, `toolu_…`). */
export function makeId(prefix: string, bytes = 12): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, bytes));
    offset = 0;
  }
  const id = prefix + pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return id;
}
