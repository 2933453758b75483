import { scrubText } from '../secrets/redactor.js';

export const MASKED = '[masked]';

/** Field names whose values are secrets, wherever they appear (stored rows and mutation arguments). */
const SECRET_FIELD = /pass(word)?|secret|token(?!version)|api_?key|^key$|hash|sealed|encrypted|authorization|cookie|^url$/i;
/** Objects whose every value is a secret (request headers carry credentials). */
const SECRET_MAP = /^headers$/i;

/**
 * A copy of a row or argument object for the audit log: secret fields replaced by
 * `[masked]`, header values masked, and every configured secret scrubbed from what is
 * left (a key pasted into a name is still caught). Dates become ISO strings.
 */
export function maskForAudit(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const masked = walk(value, false);
  return JSON.parse(scrubText(JSON.stringify(masked)));
}

function walk(value: unknown, secret: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => walk(v, secret));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      if (SECRET_MAP.test(k) && v && typeof v === 'object') out[k] = Object.fromEntries(Object.keys(v).map((name) => [name, MASKED]));
      else out[k] = walk(v, SECRET_FIELD.test(k));
    }
    return out;
  }
  if (secret) return isBlank(value) ? value : MASKED;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** An empty or false value says nothing secret (a cleared key stays visibly cleared). */
function isBlank(value: unknown): boolean {
  return value === '' || value === false;
}
