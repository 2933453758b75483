import type { StreamDecoder, StreamEvent, SseMessage, Usage, FinishReason } from '../../../core/index.js';
import { streamErrorText } from '../shared/errors.js';
import { isRecord } from '../../../core/guards.js';
import { kindFromAnthropicType } from './errors.js';
import { finishReasonFromAnthropic, usageFromAnthropic } from './mapping.js';
import { JSON_RESPONSE_TOOL } from './types.js';
import { parseJsonObject } from '../shared/json.js';
import { wireText } from '../shared/text.js';

type BlockKind = 'text' | 'reasoning' | 'tool' | 'json';

/**
 * Anthropic typed SSE events → canonical stream events. The Anthropic block index
 * is unique within a message, so it doubles as the canonical block number.
 */
export function createAnthropicStreamDecoder(): StreamDecoder {
  const blocks = new Map<number, BlockKind>();
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let finishReason: FinishReason = 'stop';
  let stopSequence: string | undefined;
  let sawJsonAnswer = false;
  let started = false;
  let finished = false;

  function addUsage(raw: unknown): StreamEvent[] {
    if (!isRecord(raw)) return [];
    const partial = usageFromAnthropic(raw);
    usage = { ...usage, ...partial };
    return [{ type: 'usage', usage: partial }];
  }

  function closeOpenBlocks(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const [block, kind] of blocks) out.push(endEvent(kind, block));
    blocks.clear();
    return out;
  }

  function onBlockStart(index: number, block: Record<string, unknown>): StreamEvent[] {
    switch (block.type) {
      case 'text': {
        blocks.set(index, 'text');
        const out: StreamEvent[] = [{ type: 'text-start', block: index }];
        if (typeof block.text === 'string' && block.text) out.push({ type: 'text-delta', block: index, text: block.text });
        return out;
      }
      case 'thinking': {
        blocks.set(index, 'reasoning');
        const out: StreamEvent[] = [{ type: 'reasoning-start', block: index }];
        if (typeof block.thinking === 'string' && block.thinking) out.push({ type: 'reasoning-delta', block: index, text: block.thinking });
        return out;
      }
      case 'redacted_thinking':
        blocks.set(index, 'reasoning');
        return [{ type: 'reasoning-start', block: index, redactedData: typeof block.data === 'string' ? block.data : '' }];
      case 'tool_use': {
        if (block.name === JSON_RESPONSE_TOOL) {
          // The forced JSON tool's input is the answer text.
          blocks.set(index, 'json');
          sawJsonAnswer = true;
          return [{ type: 'text-start', block: index }];
        }
        blocks.set(index, 'tool');
        const out: StreamEvent[] = [{ type: 'tool-call-start', block: index, id: wireText(block.id), name: wireText(block.name) }];
        if (isRecord(block.input) && Object.keys(block.input).length) {
          out.push({ type: 'tool-call-delta', block: index, argumentsDelta: JSON.stringify(block.input) });
        }
        return out;
      }
      default:
        return []; // server-tool blocks: no canonical counterpart
    }
  }

  function onDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    const kind = blocks.get(index);
    if (!kind) return [];
    switch (delta.type) {
      case 'text_delta':
        return kind === 'text' ? [{ type: 'text-delta', block: index, text: wireText(delta.text) }] : [];
      case 'thinking_delta':
        return kind === 'reasoning' ? [{ type: 'reasoning-delta', block: index, text: wireText(delta.thinking) }] : [];
      case 'signature_delta':
        return kind === 'reasoning' ? [{ type: 'reasoning-signature', block: index, signature: wireText(delta.signature) }] : [];
      case 'input_json_delta': {
        const text = wireText(delta.partial_json);
        if (text === '') return [];
        if (kind === 'json') return [{ type: 'text-delta', block: index, text }];
        return kind === 'tool' ? [{ type: 'tool-call-delta', block: index, argumentsDelta: text }] : [];
      }
      default:
        return []; // citations_delta and future deltas
    }
  }

  function finish(): StreamEvent[] {
    finished = true;
    const reason: FinishReason = sawJsonAnswer && finishReason === 'tool_calls' ? 'stop' : finishReason;
    return [...closeOpenBlocks(), { type: 'finish', finishReason: reason, ...(stopSequence ? { stopSequence } : {}), usage }];
  }

  return {
    push(message: SseMessage): StreamEvent[] {
      if (finished || message.event === 'ping') return [];
      const data = parseJsonObject(message.data);
      if (!data) return [];
      const type = message.event ?? data.type;
      switch (type) {
        case 'message_start': {
          const msg = isRecord(data.message) ? data.message : {};
          started = true;
          const partial = isRecord(msg.usage) ? usageFromAnthropic(msg.usage) : {};
          usage = { ...usage, ...partial };
          return [
            {
              type: 'start',
              id: typeof msg.id === 'string' ? msg.id : '',
              model: typeof msg.model === 'string' ? msg.model : '',
              created: Math.floor(Date.now() / 1000),
              usage: partial,
            },
          ];
        }
        case 'content_block_start':
          return isRecord(data.content_block) ? onBlockStart(Number(data.index), data.content_block) : [];
        case 'content_block_delta':
          return isRecord(data.delta) ? onDelta(Number(data.index), data.delta) : [];
        case 'content_block_stop': {
          const index = Number(data.index);
          const kind = blocks.get(index);
          if (!kind) return [];
          blocks.delete(index);
          return [endEvent(kind, index)];
        }
        case 'message_delta': {
          const delta = isRecord(data.delta) ? data.delta : {};
          if (typeof delta.stop_reason === 'string') finishReason = finishReasonFromAnthropic(delta.stop_reason);
          if (typeof delta.stop_sequence === 'string') stopSequence = delta.stop_sequence;
          return addUsage(data.usage);
        }
        case 'message_stop':
          return finish();
        case 'error': {
          finished = true;
          const err = isRecord(data.error) ? data.error : {};
          const { kind, status } = kindFromAnthropicType(err.type);
          return [...closeOpenBlocks(), { type: 'error', error: { status, kind, message: streamErrorText(err.message) } }];
        }
        default:
          return [];
      }
    },
    end(): StreamEvent[] {
      if (finished) return [];
      finished = true;
      const message = started ? 'Upstream closed the stream before message_stop' : 'Upstream closed the stream without a response';
      return [...closeOpenBlocks(), { type: 'error', error: { status: 502, kind: 'upstream', message } }];
    },
  };
}

function endEvent(kind: BlockKind, block: number): StreamEvent {
  if (kind === 'reasoning') return { type: 'reasoning-end', block };
  if (kind === 'tool') return { type: 'tool-call-end', block };
  return { type: 'text-end', block };
}
