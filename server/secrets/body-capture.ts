import { scrubText } from './redactor.js';

/** Largest body kept in a request log row (bytes, before the truncation marker). */
export const BODY_LOG_LIMIT = 32 * 1024;

/**
 * Credential-bearing JSON fields, matched on the raw text (no parse, so a
 * truncated body is scrubbed too): `"api_key": "…"` → `"api_key": "[redacted]"`.
 */
const SECRET_FIELDS =
  /("(?:api[_-]?key|x-api-key|apikey|authorization|proxy-authorization|password|passwd|secret|client[_-]?secret|access[_-]?token|refresh[_-]?token|token|bearer)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/** Scrubs key-shaped strings, the given secrets and credential JSON fields. */
export function scrubBody(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  return scrubText(text, secrets).replace(SECRET_FIELDS, '$1"[redacted]"');
}

/**
 * A body as stored in the log: scrubbed, then capped at `limit` bytes with a
 * `…[truncated N bytes]` marker. Only a window a little larger than the limit is
 * decoded and scrubbed, so a 20 MiB upload costs no more than a 32 KiB one; the
 * margin keeps a secret that straddles the cut whole while it is scrubbed.
 */
export function captureBody(body: Buffer | string, secrets: ReadonlyArray<string | undefined> = [], limit = BODY_LOG_LIMIT): string {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bytes <= limit) return scrubBody(typeof body === 'string' ? body : body.toString('utf8'), secrets);
  const window = typeof body === 'string' ? body.slice(0, limit + 512) : body.subarray(0, limit + 512).toString('utf8');
  let kept = scrubBody(window, secrets);
  const keptBytes = Buffer.from(kept).subarray(0, limit);
  kept = keptBytes.toString('utf8');
  return `${kept}…[truncated ${bytes - keptBytes.length} bytes]`;
}
