import { GatewayError } from '../../../core/index.js';
import type { CanonicalResponse, ContentPart } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { isRecord } from '../../../core/guards.js';
import { finishReasonFromGemini, usageFromGemini } from './mapping.js';
import type { GeminiPart, GeminiResponse } from './types.js';

/** Gemini function calls may come without an id; the gateway names them `call_…`. */
export function toolCallId(call: { id?: string }): string {
  return typeof call.id === 'string' && call.id !== '' ? call.id : makeId('call_');
}

/** A candidate's parts, keeping only objects: an upstream may send null or junk in the list. */
export function partsOf(parts: unknown): GeminiPart[] {
  return Array.isArray(parts) ? parts.filter(isRecord) : [];
}

/** Gemini parts → canonical parts, merging adjacent text of the same kind. */
export function partsToContent(parts: GeminiPart[]): ContentPart[] {
  const content: ContentPart[] = [];
  for (const part of parts) {
    if (part.functionCall) {
      content.push({
        type: 'tool_call',
        id: toolCallId(part.functionCall),
        name: part.functionCall.name,
        arguments: JSON.stringify(part.functionCall.args ?? {}),
        ...(part.thoughtSignature && { signature: part.thoughtSignature }),
      });
    } else if (typeof part.text === 'string') {
      const type = part.thought ? 'reasoning' : 'text';
      const last = content[content.length - 1];
      if (last && last.type === type && (last.type === 'text' || last.type === 'reasoning')) last.text += part.text;
      else content.push(type === 'text' ? { type: 'text', text: part.text } : { type: 'reasoning', text: part.text });
    }
  }
  return content;
}

/** generateContent response → canonical response (first candidate only). */
export function decodeGeminiResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw new GatewayError({ status: 502, kind: 'upstream', message: 'Upstream returned a malformed generateContent response' });
  const response = body as GeminiResponse;
  const candidate = response.candidates?.[0];
  const content = partsToContent(partsOf(candidate?.content?.parts));
  const hasToolCalls = content.some((p) => p.type === 'tool_call');
  // A blocked prompt has no candidate, only promptFeedback.blockReason.
  const finishReason = !candidate && response.promptFeedback?.blockReason ? 'content_filter' : finishReasonFromGemini(candidate?.finishReason, hasToolCalls);
  return {
    id: response.responseId ?? makeId('gen_'),
    model: response.modelVersion ?? '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason,
    usage: usageFromGemini(response.usageMetadata),
  };
}
