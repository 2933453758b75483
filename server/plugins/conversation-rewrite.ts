import { rewriteNativeBody } from '../proxy/formats/native-body.js';
import type { ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';

/**
 * When a plugin changed the canonical conversation (prompt rules, masking), a
 * same-format passthrough sends the client's body with only its conversation
 * fields re-encoded from the changed request; every other field stays the
 * client's (see proxy/formats/native-body.ts for what this costs).
 */
export function useConversationRewrite(): ProxyPlugin {
  return {
    name: 'conversation-rewrite',
    request: () => hooks,
  };
}

// Stateless: one hooks object serves every request.
const hooks: RequestHooks = {
  onPrepareUpstream(up, ctx) {
    if (!ctx.conversationRewritten || !up.passthrough) return;
    up.replace(rewriteNativeBody(ctx.api, ctx.request, up.body, up.model.upstreamModel));
  },
};
