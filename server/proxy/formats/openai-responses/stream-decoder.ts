import type { SseMessage, StreamDecoder, StreamEvent } from '../../../core/index.js';
import { emptyUsage } from '../../../core/index.js';
import { parseJsonObject } from '../shared/json.js';
import { makeId } from '../shared/ids.js';
import { scrubText } from '../../../secrets/redactor.js';
import { isRecord } from '../../../core/guards.js';
import { decodeResponsesFinish, decodeResponsesUsage } from './usage.js';
import { wireText } from '../shared/text.js';

type Kind = 'text' | 'reasoning' | 'tool';
interface Open {
  kind: Kind;
  block: number;
  outputIndex: number;
  argsSeen?: boolean;
}

const END: Record<Kind, 'text-end' | 'reasoning-end' | 'tool-call-end'> = { text: 'text-end', reasoning: 'reasoning-end', tool: 'tool-call-end' };

/**
 * Upstream Responses typed events → canonical events. Blocks are keyed by
 * output_index (and content_index for text parts); output_item.done closes
 * whatever its item still holds open, and response.completed / .incomplete
 * closes the rest before the finish.
 */
export function createResponsesStreamDecoder(): StreamDecoder {
  const open = new Map<string, Open>();
  let nextBlock = 0;
  let started = false;
  let finished = false;
  let sawToolCall = false;

  const startBlock = (out: StreamEvent[], key: string, kind: Kind, outputIndex: number, item: Record<string, unknown> = {}): Open => {
    const b: Open = { kind, block: nextBlock++, outputIndex };
    open.set(key, b);
    if (kind === 'text') out.push({ type: 'text-start', block: b.block });
    else if (kind === 'reasoning') out.push({ type: 'reasoning-start', block: b.block });
    else {
      sawToolCall = true;
      const id = typeof item.call_id === 'string' && item.call_id ? item.call_id : makeId('call_');
      out.push({
        type: 'tool-call-start',
        block: b.block,
        id,
        name: wireText(item.name),
        ...(item.type === 'custom_tool_call' && { kind: 'custom' as const }),
        ...(typeof item.namespace === 'string' && { namespace: item.namespace }),
      });
    }
    return b;
  };

  /** Closes matching blocks; a completed reasoning item hands over its encrypted state. */
  const closeWhere = (out: StreamEvent[], match: (b: Open) => boolean, done?: Record<string, unknown>): void => {
    for (const [key, b] of open) {
      if (!match(b)) continue;
      if (b.kind === 'reasoning' && done?.type === 'reasoning' && typeof done.encrypted_content === 'string') {
        out.push({ type: 'reasoning-end', block: b.block, encryptedContent: done.encrypted_content, ...(typeof done.id === 'string' && { itemId: done.id }) });
      } else out.push({ type: END[b.kind], block: b.block });
      open.delete(key);
    }
  };

  const ensureStart = (out: StreamEvent[], response: unknown): void => {
    if (started) return;
    started = true;
    const r = isRecord(response) ? response : {};
    out.push({
      type: 'start',
      id: typeof r.id === 'string' ? r.id : makeId('resp_'),
      model: typeof r.model === 'string' ? r.model : '',
      created: typeof r.created_at === 'number' ? r.created_at : Math.floor(Date.now() / 1000),
    });
  };

  const fail = (out: StreamEvent[], message: string, code?: string): StreamEvent[] => {
    finished = true;
    closeWhere(out, () => true);
    // Upstream text may echo the credential; it leaves through the client and the log.
    out.push({ type: 'error', error: { status: 502, kind: 'upstream', message: scrubText(message), ...(code && { code }) } });
    return out;
  };

  function handle(e: Record<string, unknown>, out: StreamEvent[]): void {
    const oi = typeof e.output_index === 'number' ? e.output_index : 0;
    const textKey = `${oi}:${typeof e.content_index === 'number' ? e.content_index : 0}`;
    const item = isRecord(e.item) ? e.item : {};
    const textBlock = (): Open => open.get(textKey) ?? startBlock(out, textKey, 'text', oi);
    const reasoningBlock = (): Open => open.get(`${oi}`) ?? startBlock(out, `${oi}`, 'reasoning', oi);
    switch (e.type) {
      case 'response.created':
      case 'response.in_progress':
        return ensureStart(out, e.response);
      case 'response.output_item.added':
        if (item.type === 'reasoning') reasoningBlock();
        else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
          const b = startBlock(out, `${oi}`, 'tool', oi, item);
          const initial = item.type === 'custom_tool_call' ? item.input : item.arguments;
          if (typeof initial === 'string' && initial) {
            b.argsSeen = true;
            out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: initial });
          }
        }
        return;
      case 'response.content_part.added':
        if (isRecord(e.part) && (e.part.type === 'output_text' || e.part.type === 'refusal')) textBlock();
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof e.delta === 'string' && e.delta) out.push({ type: 'text-delta', block: textBlock().block, text: e.delta });
        return;
      case 'response.content_part.done':
        return closeWhere(out, (b) => b === open.get(textKey));
      case 'response.reasoning_summary_part.added':
        // Separate summary parts the way the non-streamed decoder joins them.
        if (typeof e.summary_index === 'number' && e.summary_index > 0) {
          out.push({ type: 'reasoning-delta', block: reasoningBlock().block, text: '\n\n' });
        }
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (typeof e.delta === 'string' && e.delta) out.push({ type: 'reasoning-delta', block: reasoningBlock().block, text: e.delta });
        return;
      case 'response.custom_tool_call_input.delta':
      case 'response.function_call_arguments.delta': {
        const b = open.get(`${oi}`);
        if (b?.kind === 'tool' && typeof e.delta === 'string' && e.delta) {
          b.argsSeen = true;
          out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: e.delta });
        }
        return;
      }
      case 'response.custom_tool_call_input.done':
      case 'response.function_call_arguments.done': {
        // Some upstreams send the arguments only here.
        const b = open.get(`${oi}`);
        const whole = e.type === 'response.custom_tool_call_input.done' ? e.input : e.arguments;
        if (b?.kind === 'tool' && !b.argsSeen && typeof whole === 'string' && whole) {
          b.argsSeen = true;
          out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: whole });
        }
        return;
      }
      case 'response.output_item.done':
        if ((item.type === 'function_call' || item.type === 'custom_tool_call') && !open.has(`${oi}`)) {
          const b = startBlock(out, `${oi}`, 'tool', oi, item);
          const whole = item.type === 'custom_tool_call' ? item.input : item.arguments;
          if (typeof whole === 'string' && whole) out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: whole });
        }
        if (item.type === 'reasoning' && typeof item.encrypted_content === 'string' && !open.has(`${oi}`)) reasoningBlock();
        return closeWhere(out, (b) => b.outputIndex === oi, item);
      case 'response.completed':
      case 'response.incomplete': {
        ensureStart(out, e.response);
        closeWhere(out, () => true);
        const response = isRecord(e.response) ? e.response : {};
        const usage = decodeResponsesUsage(response.usage);
        if (usage) out.push({ type: 'usage', usage });
        finished = true;
        out.push({ type: 'finish', finishReason: decodeResponsesFinish(response, sawToolCall), usage: usage ?? emptyUsage() });
        return;
      }
      case 'response.failed': {
        const response = isRecord(e.response) ? e.response : {};
        const error = isRecord(response.error) ? response.error : {};
        fail(out, typeof error.message === 'string' ? error.message : 'Upstream response failed.', typeof error.code === 'string' ? error.code : undefined);
        return;
      }
      case 'error':
        fail(out, typeof e.message === 'string' ? e.message : 'Upstream stream error.', typeof e.code === 'string' ? e.code : undefined);
        return;
      default:
        return;
    }
  }

  return {
    push(message: SseMessage): StreamEvent[] {
      if (finished || message.data.trim() === '' || message.data.trim() === '[DONE]') return [];
      const event = parseJsonObject(message.data);
      if (!event) return [];
      if (event.type === undefined && message.event) event.type = message.event;
      const out: StreamEvent[] = [];
      handle(event, out);
      return out;
    },
    end(): StreamEvent[] {
      if (finished) return [];
      return fail([], 'Upstream stream ended before the response completed.');
    },
  };
}
