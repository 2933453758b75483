/**
 * The conversation arithmetic of `previous_response_id`: what a stored
 * response continues with, and what a new request becomes when the gateway
 * resends the conversation itself.
 */

type Json = Record<string, unknown>;

/** A Responses `input` as a list of items (a string is one user message). */
export function inputItems(input: unknown): unknown[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return Array.isArray(input) ? input : [];
}

/** The request as if the client had sent the whole conversation: stored items, then its own input. */
export function expandedBody(body: Json, stored: unknown[]): Json {
  const { previous_response_id: _dropped, ...rest } = body;
  return { ...rest, input: [...stored, ...inputItems(body.input)] };
}

/** The body without `previous_response_id`, for validation while the id is resolved separately. */
export function withoutPreviousResponseId(body: Json): Json {
  const { previous_response_id: _dropped, ...rest } = body;
  return rest;
}
