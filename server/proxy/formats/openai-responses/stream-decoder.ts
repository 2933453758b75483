import type { SseMessage, StreamDecoder, StreamEvent } from '../../canonical/index.js';
import { emptyUsage } from '../../canonical/index.js';
import { makeId } from '../shared/ids.js';
import { scrubText } from '../../../secrets/redactor.js';
import { isRecord } from '../shared/json.js';
import { decodeResponsesFinish, decodeResponsesUsage } from './usage.js';

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

  const startBlock = (out: StreamEvent[], key: string, kind: Kind, outputIndex: number, id = '', name = ''): Open => {
    const b: Open = { kind, block: nextBlock++, outputIndex };
    open.set(key, b);
    if (kind === 'text') out.push({ type: 'text-start', block: b.block });
    else if (kind === 'reasoning') out.push({ type: 'reasoning-start', block: b.block });
    else {
      sawToolCall = true;
      out.push({ type: 'tool-call-start', block: b.block, id: id || makeId('call_'), name });
    }
    return b;
  };

  const closeWhere = (out: StreamEvent[], match: (b: Open) => boolean): void => {
    for (const [key, b] of open) {
      if (!match(b)) continue;
      out.push({ type: END[b.kind], block: b.block });
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
        else if (item.type === 'function_call') {
          const b = startBlock(out, `${oi}`, 'tool', oi, String(item.call_id ?? ''), String(item.name ?? ''));
          if (typeof item.arguments === 'string' && item.arguments) {
            b.argsSeen = true;
            out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: item.arguments });
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
      case 'response.function_call_arguments.delta': {
        const b = open.get(`${oi}`);
        if (b?.kind === 'tool' && typeof e.delta === 'string' && e.delta) {
          b.argsSeen = true;
          out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: e.delta });
        }
        return;
      }
      case 'response.function_call_arguments.done': {
        // Some upstreams send the arguments only here.
        const b = open.get(`${oi}`);
        if (b?.kind === 'tool' && !b.argsSeen && typeof e.arguments === 'string' && e.arguments) {
          b.argsSeen = true;
          out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: e.arguments });
        }
        return;
      }
      case 'response.output_item.done':
        if (item.type === 'function_call' && !open.has(`${oi}`)) {
          const b = startBlock(out, `${oi}`, 'tool', oi, String(item.call_id ?? ''), String(item.name ?? ''));
          if (typeof item.arguments === 'string' && item.arguments) out.push({ type: 'tool-call-delta', block: b.block, argumentsDelta: item.arguments });
        }
        return closeWhere(out, (b) => b.outputIndex === oi);
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
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        return [];
      }
      if (!isRecord(event)) return [];
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
