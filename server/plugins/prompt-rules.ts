import { applyPromptRules } from '../prompts/apply.js';
import type { ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';

/**
 * A virtual model's prompt rules, applied once to the canonical request after
 * it is resolved (so every client API gets the same result, and a cache key or
 * a guardrail later sees the rewritten request). The rules that fired are
 * recorded; a passthrough re-encodes its conversation from the result
 * (conversation-rewrite.ts).
 */
export function usePromptRules(): ProxyPlugin {
  return {
    name: 'prompt-rules',
    request: () => hooks,
  };
}

// Stateless: one hooks object serves every request.
const hooks: RequestHooks = {
  onResolved(ctx, resolved) {
    if (resolved.kind !== 'route' || !resolved.route.promptRules.length) return;
    ctx.rulesApplied = applyPromptRules(resolved.route.promptRules, ctx.request);
    if (ctx.rulesApplied.length) ctx.conversationRewritten = true;
  },
};
