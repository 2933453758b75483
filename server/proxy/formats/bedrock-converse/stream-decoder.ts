import type { FinishReason, SseMessage, StreamDecoder, StreamEvent, Usage } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { jsonMessages } from '../shared/json.js';
import { NO_RESPONSE } from '../shared/errors.js';
import { makeId } from '../shared/ids.js';
import { bedrockStreamException } from './errors.js';
import { finishReasonFromBedrock, usageFromBedrock } from './mapping.js';

/**
 * The push of a Bedrock stream decoder: an exception frame ends the stream with its
 * error after the events `stop` gives (closing what is open); other frames go to `decode`.
 */
export function bedrockFrames(
  finished: () => boolean,
  stop: () => StreamEvent[],
  decode: (event: string | undefined, data: Record<string, unknown>) => StreamEvent[],
): (message: SseMessage) => StreamEvent[] {
  return jsonMessages(finished, (message, data) =>
    message.event?.endsWith('Exception') ? [...stop(), bedrockStreamException(message.event, data)] : decode(message.event, data),
  );
}

type Open = { kind: 'text' | 'reasoning' | 'tool'; block: number };

/**
 * ConverseStream → canonical events. The upstream/event-stream reader hands over
 * one message per event-stream frame: `event` is its `:event-type` (or, for an
 * exception frame, its `:exception-type`), `data` its JSON payload.
 *
 * Text and reasoning blocks have no start event (their first delta opens them);
 * tool blocks start with `contentBlockStart`. `messageStop` carries the stop
 * reason, then `metadata` the usage: the finish is emitted on `metadata`, the
 * stream's final event.
 */
export function createBedrockStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextBlock = 0;
  let sawToolCall = false;
  let stopReason: unknown;
  const open = new Map<number, Open>();

  function start(): StreamEvent[] {
    if (started) return [];
    started = true;
    return [{ type: 'start', id: makeId('msg_'), model: '', created: Math.floor(Date.now() / 1000) }];
  }

  function close(index: number): StreamEvent[] {
    const block = open.get(index);
    if (!block) return [];
    open.delete(index);
    switch (block.kind) {
      case 'text':
        return [{ type: 'text-end', block: block.block }];
      case 'reasoning':
        return [{ type: 'reasoning-end', block: block.block }];
      case 'tool':
        return [{ type: 'tool-call-end', block: block.block }];
      default: {
        const _exhaustive: never = block.kind;
        return _exhaustive;
      }
    }
  }

  const closeAll = (): StreamEvent[] => [...open.keys()].flatMap(close);

  /** The block at `index`, opened as `kind` if it is not open yet. */
  function ensure(index: number, kind: 'text' | 'reasoning', out: StreamEvent[], redactedData?: string): Open {
    const current = open.get(index);
    if (current) return current;
    const block: Open = { kind, block: nextBlock++ };
    open.set(index, block);
    out.push(
      kind === 'text'
        ? { type: 'text-start', block: block.block }
        : { type: 'reasoning-start', block: block.block, ...(redactedData !== undefined ? { redactedData } : {}) },
    );
    return block;
  }

  function finish(reason: FinishReason, usage: Usage): StreamEvent[] {
    finished = true;
    return [...closeAll(), { type: 'finish', finishReason: reason, usage }];
  }

  function onEvent(type: string | undefined, data: Record<string, unknown>): StreamEvent[] {
    const out = start();
    const index = typeof data.contentBlockIndex === 'number' ? data.contentBlockIndex : 0;
    switch (type) {
      case 'messageStart':
        break;
      case 'contentBlockStart': {
        const use = isRecord(data.start) && isRecord(data.start.toolUse) ? data.start.toolUse : undefined;
        if (use) {
          out.push(...close(index));
          sawToolCall = true;
          const block: Open = { kind: 'tool', block: nextBlock++ };
          open.set(index, block);
          out.push({
            type: 'tool-call-start',
            block: block.block,
            id: typeof use.toolUseId === 'string' ? use.toolUseId : makeId('tooluse_'),
            name: typeof use.name === 'string' ? use.name : '',
          });
        }
        break;
      }
      case 'contentBlockDelta': {
        const delta = isRecord(data.delta) ? data.delta : {};
        if (typeof delta.text === 'string') {
          const block = ensure(index, 'text', out);
          if (delta.text !== '') out.push({ type: 'text-delta', block: block.block, text: delta.text });
        } else if (isRecord(delta.toolUse) && typeof delta.toolUse.input === 'string') {
          const block = open.get(index);
          if (block?.kind === 'tool') out.push({ type: 'tool-call-delta', block: block.block, argumentsDelta: delta.toolUse.input });
        } else if (isRecord(delta.reasoningContent)) {
          const r = delta.reasoningContent;
          const block = ensure(index, 'reasoning', out, typeof r.redactedContent === 'string' ? r.redactedContent : undefined);
          if (typeof r.text === 'string' && r.text !== '') out.push({ type: 'reasoning-delta', block: block.block, text: r.text });
          if (typeof r.signature === 'string') out.push({ type: 'reasoning-signature', block: block.block, signature: r.signature });
        }
        break;
      }
      case 'contentBlockStop':
        out.push(...close(index));
        break;
      case 'messageStop':
        stopReason = data.stopReason;
        out.push(...closeAll());
        break;
      case 'metadata': {
        const usage = usageFromBedrock(isRecord(data.usage) ? data.usage : undefined);
        out.push({ type: 'usage', usage }, ...finish(finishReasonFromBedrock(stopReason, sawToolCall), usage));
        break;
      }
      case undefined:
      default:
        break;
    }
    return out;
  }

  return {
    push: bedrockFrames(
      () => finished,
      () => {
        finished = true;
        return closeAll();
      },
      onEvent,
    ),
    end(): StreamEvent[] {
      if (finished) return [];
      // metadata never came: the finish is owed, and the stream watch judges the cut.
      if (started) return finish(finishReasonFromBedrock(stopReason, sawToolCall), { inputTokens: 0, outputTokens: 0 });
      finished = true;
      return [NO_RESPONSE];
    },
  };
}
