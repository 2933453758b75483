import { isRecord } from '../core/guards.js';
import type { SecretBox } from './secret-box.js';
import { hasPlainHeaders, headerHints, mergeHeaders, openHeaders, sealHeaders, sealPlainHeaders } from './sealed-headers.js';

/**
 * A model's request defaults, `{ body, headers }`, as stored: the body in the
 * clear (it is shown and edited as is), the header values sealed exactly like
 * provider headers (an admin may put a per-model credential there).
 */
const asRecord = (value: unknown): Record<string, unknown> | undefined => (isRecord(value) ? value : undefined);

/** `{ body?, headers? }` without empty parts, so "no defaults" has one spelling. */
function compose(body: unknown, headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (asRecord(body)) out.body = body;
  if (headers && Object.keys(headers).length) out.headers = headers;
  return out;
}

/** For a new model or a configuration file: every header value is given in full. */
export function sealRequestDefaults(defaults: { body?: unknown; headers?: Record<string, string> }, box: SecretBox): Record<string, unknown> {
  return compose(defaults.body, defaults.headers ? sealHeaders(defaults.headers, box) : undefined);
}

/**
 * An update of a stored value: the body is replaced; in `headers` a string sets
 * a value, `null` keeps the stored one and a name left out is removed; without
 * `headers` every stored header is kept (the admin never sees their values).
 */
export function mergeRequestDefaults(
  stored: unknown,
  update: { body?: unknown; headers?: Record<string, string | null> },
  box: SecretBox,
): { defaults: Record<string, unknown> } | { unknown: string } {
  const storedHeaders = asRecord(asRecord(stored)?.headers);
  if (update.headers === undefined) {
    return { defaults: compose(update.body, storedHeaders ? sealPlainHeaders(storedHeaders, box) : undefined) };
  }
  const merged = mergeHeaders(storedHeaders, update.headers, box);
  return 'unknown' in merged ? merged : { defaults: compose(update.body, merged.headers) };
}

/** The snapshot's form: header values opened for the request path (one that cannot be opened is reported and left out). */
export function openRequestDefaults(stored: unknown, box: SecretBox, onError: (header: string) => void): Record<string, unknown> {
  const defaults = asRecord(stored) ?? {};
  return defaults.headers === undefined ? defaults : { ...defaults, headers: openHeaders(defaults.headers, box, onError) };
}

/** What the admin API shows: the body as stored, each header's name with a masked hint of its value. */
export function requestDefaultsHints(stored: unknown): Record<string, unknown> {
  const defaults = asRecord(stored) ?? {};
  return defaults.headers === undefined ? defaults : { ...defaults, headers: headerHints(defaults.headers) };
}

/** True when a header value is still stored in plain text (saved before header values were sealed). */
export function hasPlainDefaultHeaders(stored: unknown): boolean {
  return hasPlainHeaders(asRecord(stored)?.headers);
}

/** The same defaults with every plain header value sealed. */
export function sealPlainDefaultHeaders(stored: unknown, box: SecretBox): Record<string, unknown> {
  const defaults = asRecord(stored) ?? {};
  return { ...defaults, headers: sealPlainHeaders(defaults.headers, box) };
}
