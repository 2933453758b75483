import type { CanonicalRequest, CanonicalResponse } from '../../../core/index.js';
import { idWithSignature } from '../shared/call-ids.js';
import { clientToolCall, customInputFromArguments, toolNameTable } from '../shared/tool-names.js';
import { encodeChatFinishReason, encodeChatUsage } from './usage.js';

/** Canonical response → `chat.completion` object, field for field as OpenAI sends it. */
export function encodeChatResponse(response: CanonicalResponse, request: CanonicalRequest): Record<string, unknown> {
  let text = '';
  let reasoning = '';
  const toolCalls: Array<Record<string, unknown>> = [];
  const names = toolNameTable(request.tools);
  for (const part of response.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else if (part.type === 'tool_call') {
      const call = clientToolCall(part, names);
      const id = idWithSignature(part.id, part.signature);
      // A custom tool the client declared is answered as Chat's own custom call.
      if (call.kind === 'custom')
        toolCalls.push({ id, type: 'custom', custom: { name: call.name, input: call.wrapped ? customInputFromArguments(part.arguments) : part.arguments } });
      else toolCalls.push({ id, type: 'function', function: { name: call.name, arguments: part.arguments } });
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
