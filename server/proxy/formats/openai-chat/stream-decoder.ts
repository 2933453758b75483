import type { FinishReason, SseMessage, StreamDecoder, StreamEvent, Usage } from '../../../core/index.js';
import { emptyUsage } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { isRecord } from '../../../core/guards.js';
import { decodeOpenAIErrorMessage } from './errors.js';
import { decodeChatFinishReason, decodeChatUsage } from './usage.js';

type OpenBlock = { kind: 'text' | 'reasoning'; block: number } | { kind: 'tool'; block: number; index: number };

/**
 * Upstream `chat.completion.chunk` stream → canonical events. Blocks are opened
 * lazily and closed when the kind of delta changes, so the canonical stream is
 * always a sequence of complete start / delta / end brackets. Tool calls are
 * keyed by their `index`; the finish is held back until `[DONE]` (or the end of
 * the body) because the usage chunk comes after the finish_reason chunk.
 */
export function createChatStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextBlock = 0;
  let open: OpenBlock | undefined;
  let finishReason: FinishReason | undefined;
  let sawToolCall = false;
  let usage: Usage | undefined;
  const seenToolIndexes = new Set<number>();

  const close = (out: StreamEvent[]): void => {
    if (!open) return;
    const type = open.kind === 'text' ? 'text-end' : open.kind === 'reasoning' ? 'reasoning-end' : 'tool-call-end';
    out.push({ type, block: open.block });
    open = undefined;
  };

  const openBlock = (out: StreamEvent[], kind: 'text' | 'reasoning'): number => {
    if (open?.kind === kind) return open.block;
    close(out);
    open = { kind, block: nextBlock++ };
    out.push({ type: kind === 'text' ? 'text-start' : 'reasoning-start', block: open.block });
    return open.block;
  };

  const finish = (out: StreamEvent[]): StreamEvent[] => {
    if (finished) return out;
    finished = true;
    close(out);
    let reason = finishReason ?? 'stop';
    if (reason === 'stop' && sawToolCall) reason = 'tool_calls';
    out.push({ type: 'finish', finishReason: reason, usage: usage ?? emptyUsage() });
    return out;
  };

  const toolDelta = (out: StreamEvent[], raw: unknown): void => {
    if (!isRecord(raw)) return;
    const index = typeof raw.index === 'number' ? raw.index : 0;
    const fn = isRecord(raw.function) ? raw.function : {};
    if (!(open?.kind === 'tool' && open.index === index)) {
      // A fragment for a call already closed (interleaved parallel calls) cannot be re-opened; drop it.
      if (seenToolIndexes.has(index)) return;
      close(out);
      seenToolIndexes.add(index);
      sawToolCall = true;
      open = { kind: 'tool', block: nextBlock++, index };
      const id = typeof raw.id === 'string' && raw.id ? raw.id : makeId('call_');
      out.push({ type: 'tool-call-start', block: open.block, id, name: typeof fn.name === 'string' ? fn.name : '' });
    }
    const args = fn.arguments;
    const text = typeof args === 'string' ? args : args !== undefined && args !== null ? JSON.stringify(args) : '';
    if (text) out.push({ type: 'tool-call-delta', block: open.block, argumentsDelta: text });
  };

  function push(message: SseMessage): StreamEvent[] {
    if (finished) return [];
    const data = message.data.trim();
    if (data === '[DONE]') return finish([]);
    if (data === '') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return [];
    }
    if (!isRecord(chunk)) return [];
    const out: StreamEvent[] = [];
    if (chunk.error !== undefined) {
      finished = true;
      close(out);
      const message = decodeOpenAIErrorMessage(502, chunk);
      out.push({ type: 'error', error: { status: 502, kind: 'upstream', message } });
      return out;
    }
    const choices: unknown[] = Array.isArray(chunk.choices) ? chunk.choices : [];
    // Azure opens with a content-filter chunk that has no id and no choices; it starts nothing.
    if (!started && (choices.length > 0 || (typeof chunk.id === 'string' && chunk.id))) {
      started = true;
      out.push({
        type: 'start',
        id: typeof chunk.id === 'string' && chunk.id ? chunk.id : makeId('chatcmpl-'),
        model: typeof chunk.model === 'string' ? chunk.model : '',
        created: typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000),
      });
    }
    const choice = choices.find((c) => isRecord(c) && (c.index ?? 0) === 0);
    if (isRecord(choice)) {
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') {
        out.push({ type: 'reasoning-delta', block: openBlock(out, 'reasoning'), text: reasoning });
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        out.push({ type: 'text-delta', block: openBlock(out, 'text'), text: delta.content });
      }
      if (typeof delta.refusal === 'string' && delta.refusal !== '') {
        out.push({ type: 'text-delta', block: openBlock(out, 'text'), text: delta.refusal });
      }
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) toolDelta(out, call);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        finishReason = decodeChatFinishReason(choice.finish_reason);
        close(out);
      }
    }
    const chunkUsage = decodeChatUsage(chunk.usage);
    if (chunkUsage) {
      usage = chunkUsage;
      out.push({ type: 'usage', usage: chunkUsage });
    }
    return out;
  }

  return {
    push,
    // A body that ends without `[DONE]` still owes a finish when the upstream said why it stopped;
    // without even a finish_reason the answer was cut off, which is an upstream error.
    end() {
      if (finished) return [];
      if (finishReason !== undefined) return finish([]);
      const out: StreamEvent[] = [];
      finished = true;
      close(out);
      out.push({ type: 'error', error: { status: 502, kind: 'upstream', message: 'Upstream stream ended before the answer was complete.' } });
      return out;
    },
  };
}
