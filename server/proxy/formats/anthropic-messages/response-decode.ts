import type { CanonicalResponse, ContentPart, Usage } from '../../../core/index.js';
import { GatewayError } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { finishReasonFromAnthropic, usageFromAnthropic } from './mapping.js';
import { JSON_RESPONSE_TOOL } from './types.js';
import type { AnthropicUsage } from './types.js';
import { wireText } from '../shared/text.js';

/** Anthropic `message` body → canonical response. */
export function decodeAnthropicResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.content)) {
    throw new GatewayError({ status: 502, kind: 'upstream', message: 'Upstream returned a malformed Messages response' });
  }
  const content: ContentPart[] = [];
  let jsonAnswer = false;
  for (const block of body.content) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string') content.push({ type: 'text', text: block.text });
        break;
      case 'thinking':
        content.push({
          type: 'reasoning',
          text: typeof block.thinking === 'string' ? block.thinking : '',
          ...(typeof block.signature === 'string' && block.signature !== '' ? { signature: block.signature } : {}),
        });
        break;
      case 'redacted_thinking':
        content.push({ type: 'reasoning', text: '', redactedData: typeof block.data === 'string' ? block.data : '' });
        break;
      case 'tool_use': {
        const input = JSON.stringify(block.input ?? {});
        if (block.name === JSON_RESPONSE_TOOL) {
          // The forced JSON tool carries the answer of a JSON response format.
          content.push({ type: 'text', text: input });
          jsonAnswer = true;
        } else {
          content.push({ type: 'tool_call', id: wireText(block.id), name: wireText(block.name), arguments: input });
        }
        break;
      }
      default:
        // Server-tool blocks have no canonical counterpart.
        break;
    }
  }
  const usage: Usage = { inputTokens: 0, outputTokens: 0, ...usageFromAnthropic(body.usage as Partial<AnthropicUsage> | undefined) };
  const finishReason = jsonAnswer && body.stop_reason === 'tool_use' ? 'stop' : finishReasonFromAnthropic(body.stop_reason as string | null);
  const response: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason,
    usage,
  };
  if (typeof body.stop_sequence === 'string') response.stopSequence = body.stop_sequence;
  return response;
}
