import type { ModelEntry } from '../../snapshot/types.js';

/**
 * Per-model request defaults set by an admin: `{ body: {…}, headers: {…} }`.
 * Body fields fill only what the outgoing request lacks (the client always
 * wins); headers are added to the upstream call (their values are sealed at
 * rest; the snapshot holds them opened). Applied on the wire body, so
 * passthrough and translated requests get the same treatment.
 */
export function defaultBodyFields(model: ModelEntry): Record<string, unknown> | undefined {
  const body = model.requestDefaults.body;
  return body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length ? (body as Record<string, unknown>) : undefined;
}

export function defaultHeaders(model: ModelEntry): Record<string, string> {
  const headers = model.requestDefaults.headers;
  if (!headers || typeof headers !== 'object') return {};
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => typeof v === 'string'));
}
