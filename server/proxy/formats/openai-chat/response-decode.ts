import type { CanonicalResponse, ContentPart } from '../../../core/index.js';
import { GatewayError, emptyUsage } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { isRecord } from '../../../core/guards.js';
import { decodeChatFinishReason, decodeChatUsage } from './usage.js';
import { wireText } from '../shared/text.js';

/** Upstream `chat.completion` → canonical response (first choice; the gateway asks for n=1). */
export function decodeChatResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) {
    throw new GatewayError({ status: 502, kind: 'upstream', message: 'Upstream returned a malformed chat completion.' });
  }
  const choice = isRecord(body.choices[0]) ? body.choices[0] : {};
  const message = isRecord(choice.message) ? choice.message : {};
  const content: ContentPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'text', text: message.refusal });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function)) continue;
      content.push({
        type: 'tool_call',
        id: typeof call.id === 'string' && call.id ? call.id : makeId('call_'),
        name: wireText(call.function.name),
        arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments ?? {}),
      });
    }
  }
  let finishReason = decodeChatFinishReason(choice.finish_reason);
  // Some compatible APIs say `stop` even when the answer is tool calls.
  if (finishReason === 'stop' && content.some((p) => p.type === 'tool_call')) finishReason = 'tool_calls';
  return {
    id: typeof body.id === 'string' && body.id ? body.id : makeId('chatcmpl-'),
    model: typeof body.model === 'string' ? body.model : '',
    created: typeof body.created === 'number' ? body.created : Math.floor(Date.now() / 1000),
    content,
    finishReason,
    usage: decodeChatUsage(body.usage) ?? emptyUsage(),
  };
}
