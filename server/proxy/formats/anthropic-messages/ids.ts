import { makeId } from '../shared/ids.js';

/** Anthropic message ids look like `msg_…`; other upstreams' ids are re-prefixed. */
export function messageId(id: string | undefined): string {
  if (id && id.startsWith('msg_')) return id;
  return makeId('msg_');
}
