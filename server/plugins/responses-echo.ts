import type { ProxyPlugin } from '../proxy/pipeline/plugin.js';
import { restoreEchoInBody, restoreEchoInEvent } from './responses-echo-restore.js';

/**
 * Responses objects repeat the `instructions` they were given. When what goes
 * upstream on a passthrough differs from what the client sent (relay policy,
 * prompt rules), the answer's echo is set back to the client's own value, so
 * text it never wrote does not reach it. Runs after every plugin that may
 * change the body. (A translated answer is encoded from the client's request,
 * which already echoes its own instructions.)
 */
export function useResponsesEcho(): ProxyPlugin {
  return {
    name: 'responses-echo',
    request: (ctx) =>
      ctx.api !== 'responses'
        ? undefined
        : {
            onPrepareUpstream(up, ctx) {
              if (!up.passthrough || up.op === 'count_tokens') return;
              const own = ctx.request.instructions ?? null;
              const sent = typeof up.body.instructions === 'string' ? up.body.instructions : null;
              if (sent === own) return;
              return {
                onUpstreamMessage: (message) => restoreEchoInEvent(message, own),
                onUpstreamBody: (text) => restoreEchoInBody(text, own),
              };
            },
          },
  };
}
