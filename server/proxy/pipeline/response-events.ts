import type { CanonicalResponse } from '../../core/response.js';
import type { StreamEvent } from '../../core/stream-event.js';

/**
 * A whole canonical answer as the stream that would have carried it: start,
 * each content part bracketed by its start/delta/end, then finish with usage.
 * Used when an answer the gateway already holds (e.g. a cached one) is served
 * to a client that asked for a stream. Parts a stream cannot carry on their own
 * (tool results, opaque items) are not in answers and are skipped.
 */
export function responseEvents(response: CanonicalResponse): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'start', id: response.id, model: response.model, created: response.created }];
  let block = 0;
  for (const part of response.content) {
    switch (part.type) {
      case 'text':
        events.push({ type: 'text-start', block }, { type: 'text-delta', block, text: part.text }, { type: 'text-end', block });
        break;
      case 'reasoning':
        events.push({ type: 'reasoning-start', block, ...(part.redactedData !== undefined && { redactedData: part.redactedData }) });
        if (part.text) events.push({ type: 'reasoning-delta', block, text: part.text });
        if (part.signature !== undefined) events.push({ type: 'reasoning-signature', block, signature: part.signature });
        events.push({
          type: 'reasoning-end',
          block,
          ...(part.encryptedContent !== undefined && { encryptedContent: part.encryptedContent }),
          ...(part.itemId !== undefined && { itemId: part.itemId }),
        });
        break;
      case 'tool_call':
        events.push(
          {
            type: 'tool-call-start',
            block,
            id: part.id,
            name: part.name,
            ...(part.kind !== undefined && { kind: part.kind }),
            ...(part.namespace !== undefined && { namespace: part.namespace }),
            ...(part.signature !== undefined && { signature: part.signature }),
          },
          { type: 'tool-call-delta', block, argumentsDelta: part.arguments },
          { type: 'tool-call-end', block },
        );
        break;
      case 'image':
      case 'tool_result':
      case 'opaque':
        continue;
      default: {
        const unhandled: never = part;
        return unhandled;
      }
    }
    block++;
  }
  events.push({
    type: 'finish',
    finishReason: response.finishReason,
    ...(response.stopSequence !== undefined && { stopSequence: response.stopSequence }),
    usage: response.usage,
  });
  return events;
}
