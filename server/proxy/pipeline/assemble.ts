import { GatewayError } from '../../core/error.js';
import type { CanonicalResponse, ContentPart, StreamEvent, Usage } from '../../core/index.js';

/**
 * Builds one whole answer from canonical stream events: for a client that did
 * not ask to stream from an upstream that only streams, and for plugins that
 * keep whole answers of streams (GenerationContext#keepResponse). Blocks keep their
 * order; an `error` event becomes the thrown GatewayError (nothing has reached
 * the client yet, so the router may still try another target).
 */
export class ResponseAssembler {
  private readonly parts = new Map<number, ContentPart>();
  private response: CanonicalResponse = {
    id: '',
    model: '',
    created: Math.floor(Date.now() / 1000),
    content: [],
    finishReason: 'stop',
    usage: { inputTokens: 0, outputTokens: 0 },
  };
  private finished = false;

  push(event: StreamEvent): void {
    switch (event.type) {
      case 'start':
        Object.assign(this.response, { id: event.id, model: event.model, created: event.created });
        if (event.usage) this.addUsage(event.usage);
        return;
      case 'text-start':
        return this.open(event.block, { type: 'text', text: '' });
      case 'text-delta':
        return this.append(event.block, { type: 'text', text: '' }, event.text);
      case 'reasoning-start':
        return this.open(event.block, { type: 'reasoning', text: '', ...(event.redactedData !== undefined && { redactedData: event.redactedData }) });
      case 'reasoning-delta':
        return this.append(event.block, { type: 'reasoning', text: '' }, event.text);
      case 'reasoning-signature': {
        const part = this.parts.get(event.block);
        if (part?.type === 'reasoning') part.signature = event.signature;
        return;
      }
      case 'tool-call-start':
        return this.open(event.block, {
          type: 'tool_call',
          id: event.id,
          name: event.name,
          arguments: '',
          ...(event.kind === 'custom' && { kind: 'custom' as const }),
          ...(event.namespace !== undefined && { namespace: event.namespace }),
          ...(event.signature !== undefined && { signature: event.signature }),
        });
      case 'reasoning-end': {
        const part = this.parts.get(event.block);
        if (part?.type === 'reasoning' && event.encryptedContent !== undefined)
          Object.assign(part, { encryptedContent: event.encryptedContent, ...(event.itemId !== undefined && { itemId: event.itemId }) });
        return;
      }
      case 'tool-call-delta': {
        const part = this.parts.get(event.block);
        if (part?.type === 'tool_call') part.arguments += event.argumentsDelta;
        return;
      }
      case 'usage':
        return this.addUsage(event.usage);
      case 'finish':
        this.finished = true;
        this.response.finishReason = event.finishReason;
        if (event.stopSequence !== undefined) this.response.stopSequence = event.stopSequence;
        this.addUsage(event.usage);
        return;
      case 'error':
        throw new GatewayError(event.error);
      case 'text-end':
      case 'tool-call-end':
        return;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  /** The answer; throws when the stream ended without finishing. */
  result(): CanonicalResponse {
    if (!this.finished) throw new GatewayError({ status: 502, kind: 'upstream', message: 'The upstream stream ended before the answer was complete' });
    return this.response;
  }

  private open(block: number, part: ContentPart): void {
    if (this.parts.has(block)) return;
    this.parts.set(block, part);
    this.response.content.push(part);
  }

  private append(block: number, fresh: ContentPart, text: string): void {
    this.open(block, fresh);
    const part = this.parts.get(block);
    if (part && (part.type === 'text' || part.type === 'reasoning')) part.text += text;
  }

  private addUsage(usage: Partial<Usage>): void {
    for (const [key, value] of Object.entries(usage)) if (value !== undefined) (this.response.usage as unknown as Record<string, number>)[key] = value;
  }
}
