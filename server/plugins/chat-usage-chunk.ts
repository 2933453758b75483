import type { AnswerHooks, ProxyPlugin, RequestHooks } from '../proxy/pipeline/plugin.js';

/**
 * A Chat Completions stream reports usage only when asked
 * (`stream_options.include_usage`). The gateway needs it for limits and costs,
 * so a passthrough stream whose client did not ask asks for it, and the extra
 * usage-only chunk is dropped on the way back, so the client gets the stream it
 * asked for. (Translated streams: the chat encoder asks itself, and the chunk
 * is consumed by the decoder.)
 */
export function useChatUsageChunk(): ProxyPlugin {
  return {
    name: 'chat-usage-chunk',
    request: (ctx) => (ctx.api === 'chat-completions' ? hooks : undefined),
  };
}

const dropUsageChunk: AnswerHooks = {
  onUpstreamMessage: (message) => (isUsageOnlyChunk(message.data) ? null : message),
};

// Stateless: one hooks object serves every request.
const hooks: RequestHooks = {
  onPrepareUpstream(up) {
    if (!up.passthrough || up.wire !== 'openai-chat' || !up.expectStream) return;
    const streamOptions = up.body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage === true) return;
    up.edit().stream_options = { ...(streamOptions ?? {}), include_usage: true };
    return dropUsageChunk;
  },
};

/** `{"choices":[],"usage":{…}}`: the chunk a chat stream sends for include_usage. */
function isUsageOnlyChunk(data: string): boolean {
  return data.includes('"usage"') && /"choices"\s*:\s*\[\s*\]/.test(data);
}
