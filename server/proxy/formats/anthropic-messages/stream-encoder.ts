import type { CanonicalRequest, StreamEncoder, StreamEvent, Usage } from '../../../core/index.js';
import { sseEvent } from '../shared/sse.js';
import { idWithSignature } from '../shared/call-ids.js';
import { toolNameTable } from '../shared/tool-names.js';
import { encodeAnthropicStreamError } from './errors.js';
import { messageId } from './ids.js';
import { finishReasonToAnthropic, usageToAnthropic } from './mapping.js';

type BlockEvent = Extract<StreamEvent, { block: number }>;

interface PendingBlock {
  block: number;
  events: BlockEvent[];
  ended: boolean;
}

/**
 * Canonical events → Anthropic typed SSE events. Anthropic allows one open content
 * block at a time with dense indices, while canonical blocks may overlap (e.g. parallel
 * tool calls); so one block is emitted live and the others are held back and replayed,
 * in start order, as soon as the live one closes.
 */
export function createAnthropicStreamEncoder(request: CanonicalRequest): StreamEncoder {
  let started = false;
  let done = false;
  let nextIndex = 0;
  let usage: Partial<Usage> = {};
  const queue: PendingBlock[] = [];
  const byBlock = new Map<number, PendingBlock>();
  const names = toolNameTable(request.tools);

  function messageStart(id: string | undefined, model: string): string {
    started = true;
    const message = {
      id: messageId(id),
      type: 'message',
      role: 'assistant',
      model: model || request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageToAnthropic(usage),
    };
    return sseEvent('message_start', { type: 'message_start', message }) + sseEvent('ping', { type: 'ping' });
  }

  function emitBlockEvent(event: BlockEvent, index: number): string {
    switch (event.type) {
      case 'text-start':
        return sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      case 'text-delta':
        return sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: event.text } });
      case 'reasoning-start': {
        const block =
          event.redactedData !== undefined ? { type: 'redacted_thinking', data: event.redactedData } : { type: 'thinking', thinking: '', signature: '' };
        return sseEvent('content_block_start', { type: 'content_block_start', index, content_block: block });
      }
      case 'reasoning-delta':
        return sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: event.text } });
      case 'reasoning-signature':
        return sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: event.signature } });
      case 'tool-call-start':
        return sseEvent('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: idWithSignature(event.id, event.signature), name: names.get(event.name)?.name ?? event.name, input: {} },
        });
      case 'tool-call-delta':
        return sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } });
      case 'text-end':
      case 'reasoning-end':
      case 'tool-call-end':
        return ''; // ends are written by drain()
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  /** Writes everything the head of the queue allows: the live block, then any finished followers. */
  function drain(forceClose: boolean): string {
    let out = '';
    while (queue.length) {
      const head = queue[0];
      const index = nextIndex;
      for (const event of head.events) out += emitBlockEvent(event, index);
      head.events = [];
      if (!head.ended && !forceClose) break;
      out += sseEvent('content_block_stop', { type: 'content_block_stop', index });
      queue.shift();
      byBlock.delete(head.block);
      nextIndex++;
    }
    return out;
  }

  function onBlockEvent(event: BlockEvent): string {
    const isStart = event.type === 'text-start' || event.type === 'reasoning-start' || event.type === 'tool-call-start';
    const isEnd = event.type === 'text-end' || event.type === 'reasoning-end' || event.type === 'tool-call-end';
    let pending = byBlock.get(event.block);
    if (!pending && isEnd) return '';
    if (!pending) {
      // A delta without its start: open the matching block type first.
      pending = { block: event.block, events: [], ended: false };
      byBlock.set(event.block, pending);
      queue.push(pending);
      if (!isStart) pending.events.push(implicitStart(event));
    }
    if (isEnd) pending.ended = true;
    else pending.events.push(event);
    return pending === queue[0] ? drain(false) : '';
  }

  return {
    push(event: StreamEvent): string {
      if (done) return '';
      let out = '';
      if (event.type === 'error') {
        done = true;
        return encodeAnthropicStreamError(event.error);
      }
      if (event.type === 'start') {
        if (event.usage) usage = { ...usage, ...event.usage };
        return started ? '' : messageStart(event.id, event.model);
      }
      if (!started) out += messageStart(undefined, request.model);
      if (event.type === 'usage') {
        usage = { ...usage, ...event.usage };
        return out;
      }
      if (event.type === 'finish') {
        done = true;
        usage = { ...usage, ...event.usage };
        const stopReason = finishReasonToAnthropic(event.finishReason);
        out += drain(true);
        out += sseEvent('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? (event.stopSequence ?? null) : null },
          usage: usageToAnthropic(usage),
        });
        return out + sseEvent('message_stop', { type: 'message_stop' });
      }
      return out + onBlockEvent(event);
    },
    end(): string {
      return '';
    },
  };
}

function implicitStart(event: BlockEvent): BlockEvent {
  if (event.type.startsWith('reasoning')) return { type: 'reasoning-start', block: event.block };
  if (event.type.startsWith('tool-call')) return { type: 'tool-call-start', block: event.block, id: `toolu_${event.block}`, name: 'unknown' };
  return { type: 'text-start', block: event.block };
}
