import type { CanonicalRequest, CanonicalResponse } from '../../../core/index.js';
import { idWithSignature } from '../shared/call-ids.js';
import { parseArguments } from '../shared/json.js';
import { customInputAsArguments, toolNameTable } from '../shared/tool-names.js';
import { messageId } from './ids.js';
import { finishReasonToAnthropic, usageToAnthropic } from './mapping.js';
import type { AnthropicMessage } from './types.js';

/** Canonical response → Anthropic `message` object. */
export function encodeAnthropicResponse(response: CanonicalResponse, request: CanonicalRequest): AnthropicMessage {
  const content: AnthropicMessage['content'] = [];
  const names = toolNameTable(request.tools);
  for (const part of response.content) {
    switch (part.type) {
      case 'text':
        content.push({ type: 'text', text: part.text });
        break;
      case 'reasoning':
        if (part.redactedData !== undefined) content.push({ type: 'redacted_thinking', data: part.redactedData });
        else content.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
        break;
      case 'tool_call': {
        const args = part.kind === 'custom' ? customInputAsArguments(part.arguments) : part.arguments;
        const name = names.get(part.name)?.name ?? part.name;
        content.push({ type: 'tool_use', id: idWithSignature(part.id, part.signature), name, input: parseArguments(args) });
        break;
      }
      case 'image':
      case 'tool_result':
        // Images and tool results never appear in an assistant answer.
        break;
      case 'opaque':
        // Another format's item (a hosted tool's output): Anthropic has no block for it.
        break;
      default: {
        const _exhaustive: never = part;
        return _exhaustive;
      }
    }
  }
  const stopReason = finishReasonToAnthropic(response.finishReason);
  return {
    id: messageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model || request.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (response.stopSequence ?? null) : null,
    usage: usageToAnthropic(response.usage),
  };
}
