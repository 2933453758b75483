import type { Config } from './config/env.js';
import { useChatUsageChunk } from './plugins/chat-usage-chunk.js';
import { useConversationRewrite } from './plugins/conversation-rewrite.js';
import { usePromptRules } from './plugins/prompt-rules.js';
import { useRelay } from './plugins/relay.js';
import { useRequestDefaults } from './plugins/request-defaults.js';
import { useResponsesEcho } from './plugins/responses-echo.js';
import type { ProxyPlugin } from './proxy/pipeline/plugin.js';
import { useResponseStore, type ResponseStore } from './response-store/index.js';
import { useAutoPromptCache, useResponseCache, type Caches } from './cache/index.js';
import { useGuardrails } from './guardrails/index.js';
import { useMcpToolLoop, type McpToolHost } from './plugins/mcp-tool-loop.js';
import type { Tracing } from './telemetry/index.js';

/**
 * The proxy's plugins, in the order their hooks run (server/proxy/pipeline/plugin.ts).
 * The order is the design:
 * - onResolved: the response store expands a follow-up into the whole conversation
 *   first, prompt rules rewrite it, and only then do checks and lookups see it
 *   (guardrails, then the response cache: an answer is looked up for the request
 *   as it would go upstream, and a refused request is never served from the cache);
 * - onPrepareUpstream: a rewritten conversation is re-encoded first, defaults fill
 *   what is still missing, the relay reshapes last, and the Responses echo is
 *   decided on what finally goes upstream.
 */
export function proxyPlugins(parts: {
  config: Pick<Config, 'responseStore' | 'mcp'>;
  responseStore: ResponseStore;
  caches: Caches;
  tracing?: Tracing;
  mcp?: McpToolHost;
}): ProxyPlugin[] {
  return [
    // First, so the request span covers every other plugin; absent (not even loaded) without OTLP export.
    ...(parts.tracing ? [parts.tracing.plugin] : []),
    useResponseStore(parts.responseStore, { maxBytes: parts.config.responseStore.maxBytes }),
    // After the follow-up is expanded: a gateway-run MCP tool loop answers the whole conversation itself.
    ...(parts.mcp ? [useMcpToolLoop(parts.mcp, { maxRounds: parts.config.mcp.toolLoopMaxRounds })] : []),
    usePromptRules(),
    useGuardrails(),
    useResponseCache(parts.caches.responses, { streamIntervalMs: parts.caches.limits.streamIntervalMs, semantic: parts.caches.semantic }),
    useConversationRewrite(),
    useRequestDefaults(),
    useAutoPromptCache(),
    useChatUsageChunk(),
    useRelay(),
    useResponsesEcho(),
  ];
}
