import type { FinishReason, StreamDecoder, StreamEvent, Usage } from '../../../core/index.js';
import { jsonMessages } from '../shared/json.js';
import { makeId } from '../shared/ids.js';
import { NO_RESPONSE, streamErrorText } from '../shared/errors.js';
import { isRecord } from '../../../core/guards.js';
import { finishReasonFromGemini, usageFromGemini } from './mapping.js';
import { partsOf, toolCallId } from './response-decode.js';
import type { GeminiResponse } from './types.js';

/**
 * `:streamGenerateContent?alt=sse` → canonical events. Each SSE data line is a whole
 * GenerateContentResponse holding the next slice of the answer. Text (and thought)
 * pieces extend one open block until the kind changes; function calls arrive whole
 * and are emitted as start / delta / end at once. The chunk carrying finishReason ends
 * the stream (its usageMetadata is the final count).
 */
export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextBlock = 0;
  let open: { kind: 'text' | 'reasoning'; block: number } | undefined;
  let sawToolCall = false;
  let usage: Usage | undefined;

  function closeOpen(): StreamEvent[] {
    if (!open) return [];
    const event: StreamEvent = open.kind === 'text' ? { type: 'text-end', block: open.block } : { type: 'reasoning-end', block: open.block };
    open = undefined;
    return [event];
  }

  function finish(reason: FinishReason): StreamEvent[] {
    finished = true;
    return [...closeOpen(), { type: 'finish', finishReason: reason, usage: usage ?? { inputTokens: 0, outputTokens: 0 } }];
  }

  function onChunk(chunk: GeminiResponse): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (!started) {
      started = true;
      out.push({ type: 'start', id: chunk.responseId ?? makeId('gen_'), model: chunk.modelVersion ?? '', created: Math.floor(Date.now() / 1000) });
    }
    const candidate = chunk.candidates?.[0];
    for (const part of partsOf(candidate?.content?.parts)) {
      if (part.functionCall) {
        out.push(...closeOpen());
        sawToolCall = true;
        const block = nextBlock++;
        out.push(
          {
            type: 'tool-call-start',
            block,
            id: toolCallId(part.functionCall),
            name: part.functionCall.name,
            ...(part.thoughtSignature && { signature: part.thoughtSignature }),
          },
          { type: 'tool-call-delta', block, argumentsDelta: JSON.stringify(part.functionCall.args ?? {}) },
          { type: 'tool-call-end', block },
        );
      } else if (typeof part.text === 'string') {
        const kind = part.thought ? 'reasoning' : 'text';
        if (open?.kind !== kind) {
          out.push(...closeOpen());
          open = { kind, block: nextBlock++ };
          out.push(kind === 'text' ? { type: 'text-start', block: open.block } : { type: 'reasoning-start', block: open.block });
        }
        if (part.text !== '') {
          out.push(
            kind === 'text' ? { type: 'text-delta', block: open.block, text: part.text } : { type: 'reasoning-delta', block: open.block, text: part.text },
          );
        }
      }
    }
    if (chunk.usageMetadata) {
      usage = usageFromGemini(chunk.usageMetadata);
      out.push({ type: 'usage', usage });
    }
    if (candidate?.finishReason) out.push(...finish(finishReasonFromGemini(candidate.finishReason, sawToolCall)));
    else if (!candidate && chunk.promptFeedback?.blockReason) out.push(...finish('content_filter'));
    return out;
  }

  return {
    push: jsonMessages(
      () => finished,
      (_message, data) => {
        if (isRecord(data.error)) {
          finished = true;
          const text = streamErrorText(data.error.message);
          const code = typeof data.error.code === 'number' ? data.error.code : 500;
          const kind = code === 429 ? 'rate_limit' : code === 503 ? 'overloaded' : 'upstream';
          return [...closeOpen(), { type: 'error', error: { status: code === 429 || code === 503 ? code : 502, kind, message: text } }];
        }
        return onChunk(data);
      },
    ),
    end(): StreamEvent[] {
      if (finished) return [];
      // Gemini sometimes ends without a finishReason; a started answer is treated as complete.
      if (started) return finish(sawToolCall ? 'tool_calls' : 'stop');
      finished = true;
      return [NO_RESPONSE];
    },
  };
}
