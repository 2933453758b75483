import type { CanonicalRequest, CanonicalResponse } from '../../canonical/index.js';
import { idWithSignature } from '../shared/call-ids.js';
import { toolNameTable } from '../shared/tool-names.js';
import { encodeChatFinishReason, encodeChatUsage } from './usage.js';

/** Canonical response → `chat.completion` object, field for field as OpenAI sends it. */
export function encodeChatResponse(response: CanonicalResponse, request: CanonicalRequest): Record<string, unknown> {
  let text = '';
  let reasoning = '';
  const toolCalls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  const names = toolNameTable(request.tools);
  for (const part of response.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool_call') {
      const name = names.get(part.name)?.name ?? part.name;
      toolCalls.push({ id: idWithSignature(part.id, part.signature), type: 'function', function: { name, arguments: part.arguments } });
    }
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
    annotations: [],
  };
  // Reasoning travels as `reasoning_content`, the DeepSeek / OpenRouter convention most chat clients read.
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model || request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: encodeChatFinishReason(response.finishReason) }],
    usage: encodeChatUsage(response.usage),
    system_fingerprint: null,
  };
}
