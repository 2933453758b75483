import { maskSecret, type SecretBox } from './secret-box.js';

/**
 * Provider extra headers are write-only, like API keys: a custom auth header
 * is as secret as the key. Stored as `{ name: { sealed, hint } }` (AES-GCM,
 * see SecretBox); a plain string value is an older row stored before sealing
 * and is read as is until the provider's headers are next saved.
 */
export interface SealedHeader {
  sealed: string;
  hint: string;
}
export type StoredHeaders = Record<string, SealedHeader | string>;

const isSealed = (value: unknown): value is SealedHeader => typeof value === 'object' && value !== null && typeof (value as SealedHeader).sealed === 'string';

function asStored(value: unknown): StoredHeaders {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: StoredHeaders = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string' || isSealed(v)) out[name] = v;
  return out;
}

export function sealHeaders(values: Record<string, string>, box: SecretBox): Record<string, SealedHeader> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, { sealed: box.seal(v), hint: maskSecret(v) }]));
}

/**
 * An update: a string sets the value, `null` keeps the stored one (the admin
 * never sees it, so a form sends null for an untouched header), a name left
 * out is removed. A null for a header that does not exist is an error.
 */
export function mergeHeaders(
  stored: unknown,
  update: Record<string, string | null>,
  box: SecretBox,
): { headers: Record<string, SealedHeader | string> } | { unknown: string } {
  const current = asStored(stored);
  const next: Record<string, SealedHeader | string> = {};
  for (const [name, value] of Object.entries(update)) {
    if (value === null) {
      const kept = current[name];
      if (kept === undefined) return { unknown: name };
      next[name] = typeof kept === 'string' ? { sealed: box.seal(kept), hint: maskSecret(kept) } : kept;
    } else next[name] = { sealed: box.seal(value), hint: maskSecret(value) };
  }
  return { headers: next };
}

/** Header values for the in-memory snapshot; a value that cannot be opened is reported and skipped. */
export function openHeaders(stored: unknown, box: SecretBox, onError: (name: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(asStored(stored))) {
    if (typeof value === 'string') out[name] = value;
    else {
      try {
        out[name] = box.open(value.sealed);
      } catch {
        onError(name);
      }
    }
  }
  return out;
}

/** What the admin API shows: each header's name with a masked hint of its value. */
export function headerHints(stored: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(asStored(stored)).map(([name, value]) => [name, typeof value === 'string' ? maskSecret(value) : value.hint]));
}

/** True when some header value is still stored in plain text (a row saved before headers were sealed). */
export function hasPlainHeaders(stored: unknown): boolean {
  return Object.values(asStored(stored)).some((value) => typeof value === 'string');
}

/** The same headers with every plain value sealed (sealed ones kept as they are). */
export function sealPlainHeaders(stored: unknown, box: SecretBox): Record<string, SealedHeader | string> {
  const keepAll = Object.fromEntries(Object.keys(asStored(stored)).map((name) => [name, null]));
  const merged = mergeHeaders(stored, keepAll, box);
  return 'headers' in merged ? merged.headers : {};
}
