import type { CanonicalRequest, GatewayErrorShape, StreamEncoder, StreamEvent, Usage } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { SSE_DONE, sseData } from '../shared/sse.js';
import { idWithSignature } from '../shared/call-ids.js';
import { CustomInputStream } from '../shared/input-stream.js';
import { clientToolCall, toolNameTable } from '../shared/tool-names.js';
import { encodeOpenAIError } from './errors.js';
import { encodeChatFinishReason, encodeChatUsage } from './usage.js';

/**
 * Canonical stream → `chat.completion.chunk` SSE lines:
 * role chunk, content / reasoning_content / tool_calls deltas, a finish_reason
 * chunk, a usage chunk with empty `choices` (only with stream_options.include_usage),
 * then `data: [DONE]`. Reasoning is sent as `delta.reasoning_content`
 * (DeepSeek / OpenRouter convention; OpenAI itself never streams reasoning text).
 */
export function createChatStreamEncoder(request: CanonicalRequest): StreamEncoder {
  const includeUsage = request.includeUsage === true;
  let id = '';
  let model = request.model;
  let created = 0;
  let started = false;
  let closed = false;
  let usage: Partial<Usage> = {};
  const toolIndex = new Map<number, number>();
  const names = toolNameTable(request.tools);
  /** Custom calls by block; `unwrap` reads the input out of its function form's arguments. */
  const customs = new Map<number, { unwrap?: CustomInputStream }>();

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    sseData({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage && { usage: null }),
    });

  // Every stream opens with the assistant role, even if the upstream skipped its start.
  const ensureStarted = (): string => {
    if (started) return '';
    started = true;
    if (!id) id = makeId('chatcmpl-');
    if (!created) created = Math.floor(Date.now() / 1000);
    return chunk({ role: 'assistant', content: '', refusal: null });
  };

  function push(event: StreamEvent): string {
    if (closed) return '';
    switch (event.type) {
      case 'start':
        if (!started) {
          id = event.id || id;
          model = event.model || model;
          created = event.created || created;
        }
        if (event.usage) usage = { ...usage, ...event.usage };
        return ensureStarted();
      case 'text-delta':
        return event.text ? ensureStarted() + chunk({ content: event.text }) : '';
      case 'reasoning-delta':
        return event.text ? ensureStarted() + chunk({ reasoning_content: event.text }) : '';
      case 'tool-call-start': {
        const index = toolIndex.size;
        toolIndex.set(event.block, index);
        const resolved = clientToolCall(event, names);
        const id = idWithSignature(event.id, event.signature);
        if (resolved.kind === 'custom') {
          customs.set(event.block, resolved.wrapped ? { unwrap: new CustomInputStream() } : {});
          return ensureStarted() + chunk({ tool_calls: [{ index, id, type: 'custom', custom: { name: resolved.name, input: '' } }] });
        }
        const call = { index, id, type: 'function', function: { name: resolved.name, arguments: '' } };
        return ensureStarted() + chunk({ tool_calls: [call] });
      }
      case 'tool-call-delta': {
        const index = toolIndex.get(event.block);
        if (index === undefined || !event.argumentsDelta) return '';
        const custom = customs.get(event.block);
        if (custom) {
          const input = custom.unwrap ? custom.unwrap.push(event.argumentsDelta) : event.argumentsDelta;
          return input ? chunk({ tool_calls: [{ index, custom: { input } }] }) : '';
        }
        return chunk({ tool_calls: [{ index, function: { arguments: event.argumentsDelta } }] });
      }
      case 'tool-call-end': {
        const custom = customs.get(event.block);
        const index = toolIndex.get(event.block);
        if (!custom?.unwrap || index === undefined) return '';
        const { rest } = custom.unwrap.end();
        return rest ? chunk({ tool_calls: [{ index, custom: { input: rest } }] }) : '';
      }
      case 'usage':
        usage = { ...usage, ...event.usage };
        return '';
      case 'finish': {
        closed = true;
        const final: Usage = { ...usage, ...event.usage };
        let out = ensureStarted() + chunk({}, encodeChatFinishReason(event.finishReason));
        if (includeUsage) {
          out += sseData({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage: encodeChatUsage(final) });
        }
        return out;
      }
      case 'error':
        closed = true;
        return encodeChatStreamError(event.error);
      case 'text-start':
      case 'text-end':
      case 'reasoning-start':
      case 'reasoning-signature':
      case 'reasoning-end':
        // Block brackets and reasoning signatures have no Chat Completions equivalent.
        return '';
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  let errored = false;
  return {
    push(event) {
      if (event.type === 'error' && !closed) errored = true;
      return push(event);
    },
    // After an error the stream just ends: `[DONE]` would tell clients the answer was complete.
    end: () => (errored ? '' : SSE_DONE),
  };
}

/** Mid-stream failure: a `data: {"error":{…}}` line, which the OpenAI SDKs raise as an APIError. */
export function encodeChatStreamError(error: GatewayErrorShape): string {
  return sseData(encodeOpenAIError(error));
}
