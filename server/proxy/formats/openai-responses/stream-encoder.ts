import type { CanonicalRequest, GatewayErrorKind, GatewayErrorShape, StreamEncoder, StreamEvent, Usage } from '../../../core/index.js';
import { emptyUsage } from '../../../core/index.js';
import { makeId } from '../shared/ids.js';
import { sseEvent } from '../shared/sse.js';
import { idWithSignature } from '../shared/call-ids.js';
import { CustomInputStream } from '../shared/input-stream.js';
import { toolNameTable } from '../shared/tool-names.js';
import {
  buildResponseEnvelope,
  clientToolCall,
  customToolCallItem,
  functionCallItem,
  messageItem,
  outputText,
  reasoningItem,
  reasoningState,
  responseId,
} from './response-encode.js';
import type { OutputItem, ResponseEnvelopeState } from './response-encode.js';
import { encodeResponsesStatus, encodeResponsesUsage } from './usage.js';

type Block =
  | { kind: 'text'; outputIndex: number; contentIndex: number; text: string }
  | { kind: 'reasoning'; outputIndex: number; text: string; partOpen: boolean; signature?: string; redactedData?: string }
  | { kind: 'tool'; outputIndex: number; args: string; name: string }
  /** A freeform call; `unwrap` reads its input out of the `{"input": …}` arguments of its function form. */
  | { kind: 'custom'; outputIndex: number; input: string; unwrap?: CustomInputStream };

/**
 * Canonical stream → Responses typed events (`event: <type>` + `data:` JSON with
 * `type` and a `sequence_number` counting up from 0). Text blocks become
 * output_text content parts of one message item until another kind of block
 * starts; reasoning blocks become reasoning items with a single summary part;
 * tool calls become function_call items, or custom_tool_call items streamed as
 * `custom_tool_call_input` deltas for the client's custom tools (whatever form the
 * upstream used). The stream ends with response.completed,
 * response.incomplete (token limit / content filter) or response.failed.
 */
export function createResponsesStreamEncoder(request: CanonicalRequest): StreamEncoder {
  const state: ResponseEnvelopeState = { id: '', model: '', createdAt: 0, status: 'in_progress', output: [], usage: null };
  let seq = 0;
  let started = false;
  let closed = false;
  let usage: Partial<Usage> = {};
  let message: { item: OutputItem; index: number; parts: Array<Record<string, unknown>> } | undefined;
  const blocks = new Map<number, Block>();
  const toolNames = toolNameTable(request.tools);

  const emit = (type: string, fields: Record<string, unknown>): string => sseEvent(type, { type, sequence_number: seq++, ...fields });
  const envelope = (): Record<string, unknown> => buildResponseEnvelope(state, request);

  const ensureStarted = (): string => {
    if (started) return '';
    started = true;
    if (!state.id) state.id = makeId('resp_');
    if (!state.createdAt) state.createdAt = Math.floor(Date.now() / 1000);
    return emit('response.created', { response: envelope() }) + emit('response.in_progress', { response: envelope() });
  };

  const addItem = (item: OutputItem): number => {
    state.output.push(item);
    return state.output.length - 1;
  };

  const closeMessage = (): string => {
    if (!message) return '';
    let out = '';
    for (const [block, b] of blocks) if (b.kind === 'text' && b.outputIndex === message.index) out += endBlock(block);
    message.item.status = 'completed';
    out += emit('response.output_item.done', { output_index: message.index, item: message.item });
    message = undefined;
    return out;
  };

  const startText = (block: number): string => {
    let out = ensureStarted();
    if (!message) {
      const item = messageItem(makeId('msg_'), 'in_progress', []);
      const index = addItem(item);
      message = { item, index, parts: item.content as Array<Record<string, unknown>> };
      out += emit('response.output_item.added', { output_index: index, item });
    }
    const contentIndex = message.parts.length;
    const part = outputText('');
    message.parts.push(part);
    blocks.set(block, { kind: 'text', outputIndex: message.index, contentIndex, text: '' });
    const ids = { item_id: message.item.id, output_index: message.index, content_index: contentIndex };
    return out + emit('response.content_part.added', { ...ids, part });
  };

  const startOther = (block: number, item: OutputItem, initial: Block): string => {
    let out = ensureStarted() + closeMessage();
    const index = addItem(item);
    blocks.set(block, { ...initial, outputIndex: index });
    out += emit('response.output_item.added', { output_index: index, item });
    return out;
  };

  function endBlock(block: number, encrypted?: string): string {
    const b = blocks.get(block);
    if (!b) return '';
    blocks.delete(block);
    const item = state.output[b.outputIndex];
    const ids = { item_id: item.id, output_index: b.outputIndex };
    if (b.kind === 'text') {
      const part = outputText(b.text);
      if (message) message.parts[b.contentIndex] = part;
      return (
        emit('response.output_text.done', { ...ids, content_index: b.contentIndex, text: b.text, logprobs: [] }) +
        emit('response.content_part.done', { ...ids, content_index: b.contentIndex, part })
      );
    }
    let out = '';
    if (b.kind === 'reasoning') {
      if (b.partOpen) {
        const part = { type: 'summary_text', text: b.text };
        out += emit('response.reasoning_summary_text.done', { ...ids, summary_index: 0, text: b.text });
        out += emit('response.reasoning_summary_part.done', { ...ids, summary_index: 0, part });
      }
      const state = reasoningState({ text: b.text, encryptedContent: encrypted, signature: b.signature, redactedData: b.redactedData });
      Object.assign(item, reasoningItem(String(item.id), b.partOpen ? b.text : undefined, state));
    } else if (b.kind === 'custom') {
      if (b.unwrap) {
        const { rest, input } = b.unwrap.end();
        if (rest) out += emit('response.custom_tool_call_input.delta', { ...ids, delta: rest });
        b.input = input;
      }
      out += emit('response.custom_tool_call_input.done', { ...ids, input: b.input });
      Object.assign(item, { input: b.input, status: 'completed' });
    } else {
      out += emit('response.function_call_arguments.done', { ...ids, name: b.name, arguments: b.args });
      Object.assign(item, { arguments: b.args, status: 'completed' });
    }
    return out + emit('response.output_item.done', { output_index: b.outputIndex, item });
  }

  const closeAll = (): string => {
    let out = '';
    for (const block of [...blocks.keys()]) if (blocks.get(block)?.kind !== 'text') out += endBlock(block);
    return out + closeMessage();
  };

  function push(event: StreamEvent): string {
    if (closed) return '';
    switch (event.type) {
      case 'start':
        if (!started) {
          state.id = responseId(event.id || makeId('resp_'));
          state.model = event.model;
          state.createdAt = event.created;
        }
        if (event.usage) usage = { ...usage, ...event.usage };
        return ensureStarted();
      case 'text-start':
        return startText(event.block);
      case 'text-delta': {
        let out = blocks.get(event.block) ? '' : startText(event.block);
        const b = blocks.get(event.block);
        if (b?.kind !== 'text' || !event.text) return out;
        b.text += event.text;
        const item = state.output[b.outputIndex];
        out += emit('response.output_text.delta', {
          item_id: item.id,
          output_index: b.outputIndex,
          content_index: b.contentIndex,
          delta: event.text,
          logprobs: [],
        });
        return out;
      }
      case 'reasoning-start':
        return startOther(event.block, reasoningItem(makeId('rs_'), undefined), {
          kind: 'reasoning',
          outputIndex: 0,
          text: '',
          partOpen: false,
          ...(event.redactedData !== undefined && { redactedData: event.redactedData }),
        });
      case 'reasoning-signature': {
        const b = blocks.get(event.block);
        if (b?.kind === 'reasoning') b.signature = (b.signature ?? '') + event.signature;
        return '';
      }
      case 'reasoning-delta': {
        let out = blocks.get(event.block) ? '' : push({ type: 'reasoning-start', block: event.block });
        const b = blocks.get(event.block);
        if (b?.kind !== 'reasoning' || !event.text) return out;
        const ids = { item_id: state.output[b.outputIndex].id, output_index: b.outputIndex, summary_index: 0 };
        if (!b.partOpen) {
          b.partOpen = true;
          out += emit('response.reasoning_summary_part.added', { ...ids, part: { type: 'summary_text', text: '' } });
        }
        b.text += event.text;
        return out + emit('response.reasoning_summary_text.delta', { ...ids, delta: event.text });
      }
      case 'tool-call-start': {
        const call = clientToolCall(event, toolNames);
        const callId = idWithSignature(event.id, event.signature);
        if (call.kind === 'custom') {
          return startOther(event.block, customToolCallItem(makeId('ctc_'), callId, call.name, '', 'in_progress', call.namespace), {
            kind: 'custom',
            outputIndex: 0,
            input: '',
            ...(call.wrapped && { unwrap: new CustomInputStream() }),
          });
        }
        return startOther(event.block, functionCallItem(makeId('fc_'), callId, call.name, '', 'in_progress', call.namespace), {
          kind: 'tool',
          outputIndex: 0,
          args: '',
          name: call.name,
        });
      }
      case 'tool-call-delta': {
        const b = blocks.get(event.block);
        if (!event.argumentsDelta) return '';
        if (b?.kind === 'custom') {
          const delta = b.unwrap ? b.unwrap.push(event.argumentsDelta) : event.argumentsDelta;
          b.input += delta;
          return delta ? emit('response.custom_tool_call_input.delta', { item_id: state.output[b.outputIndex].id, output_index: b.outputIndex, delta }) : '';
        }
        if (b?.kind !== 'tool') return '';
        b.args += event.argumentsDelta;
        return emit('response.function_call_arguments.delta', {
          item_id: state.output[b.outputIndex].id,
          output_index: b.outputIndex,
          delta: event.argumentsDelta,
        });
      }
      case 'text-end':
        return blocks.get(event.block)?.kind === 'text' ? endBlock(event.block) : '';
      case 'reasoning-end':
        return endBlock(event.block, event.encryptedContent);
      case 'tool-call-end':
        return endBlock(event.block);
      case 'usage':
        usage = { ...usage, ...event.usage };
        return '';
      case 'finish': {
        let out = ensureStarted() + closeAll();
        closed = true;
        const { status, incomplete_details } = encodeResponsesStatus(event.finishReason);
        state.status = status;
        state.incompleteDetails = incomplete_details;
        state.usage = encodeResponsesUsage({ ...emptyUsage(), ...usage, ...event.usage });
        out += emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: envelope() });
        return out;
      }
      case 'error': {
        const out = ensureStarted();
        closed = true;
        state.status = 'failed';
        state.error = { code: responsesErrorCode(event.error.kind), message: event.error.message };
        return out + emit('response.failed', { response: envelope() });
      }
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  return { push, end: () => '' };
}

/** Codes from the Responses `error.code` vocabulary. */
export function responsesErrorCode(kind: GatewayErrorKind): string {
  if (kind === 'rate_limit' || kind === 'budget_exceeded') return 'rate_limit_exceeded';
  if (kind === 'invalid_request' || kind === 'request_too_large') return 'invalid_prompt';
  return 'server_error';
}

/**
 * A failure with no encoder state at hand: a self-contained `response.failed`
 * event (fresh response id, empty output). Codex and the OpenAI SDKs treat it as
 * the end of the stream; the SDK's `finalResponse()` resolves with status `failed`.
 * `at` continues a stream already under way (a passthrough): its response id and
 * the next sequence number.
 */
export function encodeResponsesStreamError(error: GatewayErrorShape, at: { id?: string; sequenceNumber?: number } = {}): string {
  const response = {
    id: at.id ?? makeId('resp_'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'failed',
    error: { code: responsesErrorCode(error.kind), message: error.message },
    incomplete_details: null,
    output: [],
    usage: null,
  };
  return sseEvent('response.failed', { type: 'response.failed', sequence_number: at.sequenceNumber ?? 0, response });
}
