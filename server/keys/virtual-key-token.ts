import { hash, randomBytes } from 'node:crypto';

/** Virtual keys look like `sk-gw-<43 url-safe chars>`; only the hash and prefix are stored. */
export const VIRTUAL_KEY_PREFIX = 'sk-gw-';

export function generateVirtualKey(): { key: string; hash: string; prefix: string } {
  const key = VIRTUAL_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashVirtualKey(key), prefix: key.slice(0, VIRTUAL_KEY_PREFIX.length + 6) };
}

export function hashVirtualKey(key: string): string {
  return hash('sha256', key, 'hex');
}
