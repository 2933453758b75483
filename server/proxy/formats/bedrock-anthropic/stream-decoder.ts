import type { StreamDecoder } from '../../../core/index.js';
import { GatewayError } from '../../../core/error.js';
import { anthropicUpstream } from '../anthropic-messages/index.js';
import { bedrockFrames } from '../bedrock-converse/stream-decoder.js';
import { parseJsonObject } from '../shared/json.js';

/**
 * InvokeModelWithResponseStream → canonical events. The upstream event-stream
 * reader hands over one message per frame; a `chunk` frame's payload is
 * `{"bytes": "<base64>"}` whose bytes are one Anthropic stream event as JSON
 * (`{"type": "message_start", …}`), given to the Anthropic stream decoder as
 * that event. An exception frame ends the stream with its error.
 */
export function createBedrockAnthropicStreamDecoder(): StreamDecoder {
  const inner = anthropicUpstream.createStreamDecoder();
  let failed = false;
  return {
    push: bedrockFrames(
      () => failed,
      () => {
        failed = true;
        return inner.end().filter((e) => e.type !== 'finish' && e.type !== 'error');
      },
      (type, payload) => {
        if (type !== 'chunk' || typeof payload.bytes !== 'string') return [];
        const data = Buffer.from(payload.bytes, 'base64').toString('utf8');
        const event = parseJsonObject(data);
        if (!event || typeof event.type !== 'string') {
          throw new GatewayError({
            status: 502,
            kind: 'upstream',
            code: 'upstream_bad_stream',
            message: 'The provider sent a stream chunk that is not an Anthropic event',
          });
        }
        return inner.push({ event: event.type, data });
      },
    ),
    end() {
      return failed ? [] : inner.end();
    },
  };
}
