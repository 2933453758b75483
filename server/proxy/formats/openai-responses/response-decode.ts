import type { CanonicalResponse, ContentPart } from '../../../core/index.js';
import { GatewayError, emptyUsage } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { isRecord } from '../../../core/guards.js';
import { decodeResponsesFinish, decodeResponsesUsage } from './usage.js';
import { wireText } from '../shared/text.js';

/** Output items of a Responses `response` → canonical content parts, in order. */
export function decodeOutputItems(output: unknown): ContentPart[] {
  const content: ContentPart[] = [];
  if (!Array.isArray(output)) return content;
  for (const item of output) {
    if (!isRecord(item)) continue;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (part.type === 'output_text' && typeof part.text === 'string') content.push({ type: 'text', text: part.text });
        else if (part.type === 'refusal' && typeof part.refusal === 'string') content.push({ type: 'text', text: part.refusal });
      }
    } else if (item.type === 'reasoning') {
      const texts = [...listOf(item.summary), ...listOf(item.content)].map((s) => (isRecord(s) && typeof s.text === 'string' ? s.text : '')).filter(Boolean);
      content.push({
        type: 'reasoning',
        text: texts.join('\n\n'),
        ...(typeof item.encrypted_content === 'string' && { encryptedContent: item.encrypted_content }),
        ...(typeof item.encrypted_content === 'string' && typeof item.id === 'string' && { itemId: item.id }),
      });
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      const custom = item.type === 'custom_tool_call';
      const args = custom ? item.input : item.arguments;
      content.push({
        type: 'tool_call',
        id: typeof item.call_id === 'string' ? item.call_id : makeId('call_'),
        name: wireText(item.name),
        arguments: typeof args === 'string' ? args : '',
        ...(custom && { kind: 'custom' as const }),
        ...(typeof item.namespace === 'string' && { namespace: item.namespace }),
      });
    }
  }
  return content;
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function decodeResponsesResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.output)) {
    throw new GatewayError({ status: 502, kind: 'upstream', message: 'Upstream returned a malformed response object.' });
  }
  const content = decodeOutputItems(body.output);
  return {
    id: typeof body.id === 'string' ? body.id : makeId('resp_'),
    model: typeof body.model === 'string' ? body.model : '',
    created: typeof body.created_at === 'number' ? body.created_at : Math.floor(Date.now() / 1000),
    content,
    finishReason: decodeResponsesFinish(
      body,
      content.some((p) => p.type === 'tool_call'),
    ),
    usage: decodeResponsesUsage(body.usage) ?? emptyUsage(),
  };
}
