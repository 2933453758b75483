import type { ProxyPlugin } from '../proxy/pipeline/plugin.js';
import { continueConversation, previousResponseIdOf } from './continue.js';
import { withoutPreviousResponseId } from './conversation.js';
import type { ResponseStore } from './store.js';

/**
 * `previous_response_id` for every upstream: a Responses follow-up is decoded
 * without the id (the decoder refuses one nobody resolved), the store resolves
 * it once the model is known (continue.ts), and answers are kept for the next
 * follow-up unless the client sent `store: false`.
 */
export function useResponseStore(store: ResponseStore, options: { maxBytes: number }): ProxyPlugin {
  return {
    name: 'response-store',
    request(ctx) {
      if (ctx.endpoint !== 'responses') return undefined;
      let previousId: string | undefined;
      return {
        onBody(body) {
          previousId = previousResponseIdOf(body);
          return previousId === undefined ? undefined : withoutPreviousResponseId(body);
        },
        onResolved: (gen, resolved) => continueConversation(gen, resolved, previousId, store, options.maxBytes),
      };
    },
  };
}
