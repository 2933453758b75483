import { performance } from 'node:perf_hooks';
import { GatewayError } from '../../core/error.js';
import type { SseMessage, StreamEncoder, StreamEvent } from '../../core/stream-event.js';
import type { Usage } from '../../core/usage.js';
import { scrubText } from '../../secrets/redactor.js';
import type { UpstreamFormat } from '../formats/format.js';
import { ResponseAssembler } from './assemble.js';
import { ClientStream } from './client-stream.js';
import type { GenerationContext, ProxyContext } from './context.js';
import { guardedDecoder } from './guarded-decode.js';
import type { AnswerHooks } from './plugin.js';
import { StreamWatch, streamFailure } from './stream-watch.js';
import type { UpstreamRequest } from './upstream-request.js';

/**
 * Streams the upstream's SSE to the client. Every upstream event is decoded
 * (usage, finish, errors), judged by the stream watch and shown to the
 * plugins' event hooks. A translated stream is re-encoded in the client's
 * format from those events; a same-format stream is forwarded as received
 * (through the plugins' message hooks). Either way a broken upstream (garbage,
 * cut off, too slow in total) ends with an error event in the client's format,
 * and a stream whose final event reached the client counts as complete
 * whatever the connections do after.
 */
export async function relayStream(
  ctx: GenerationContext,
  batches: AsyncIterable<SseMessage[]>,
  format: UpstreamFormat,
  up: UpstreamRequest,
  hooks: readonly AnswerHooks[],
): Promise<void> {
  const out = new ClientStream(ctx.res);
  const provider = up.model.provider;
  const decoder = guardedDecoder(format.createStreamDecoder(), provider);
  const watch = new StreamWatch(format.name);
  const forward = up.passthrough && !up.translateAnswer;
  const encoder: StreamEncoder | null = forward ? null : ctx.client.createStreamEncoder(ctx.request);
  const eventHooks = hooks.filter((h) => h.onEvent !== undefined);
  const messageHooks = hooks.filter((h) => h.onUpstreamMessage !== undefined);
  const assembler = ctx.keepResponse ? new ResponseAssembler() : undefined;
  // Where a forwarded stream stands, so an error appended to it continues it.
  let streamId: string | undefined;
  let forwarded = 0;
  // What one upstream read produced for the client, sent as one write (one chunk of the response, not one per event).
  let pending = '';
  const flush = (): Promise<void> | undefined => {
    if (!pending) return;
    const text = pending;
    pending = '';
    return out.write(text);
  };

  /** Notes and encodes events; `synthesized`: made by the gateway (not an upstream event already forwarded), so a forwarded stream must be told too. */
  const deliver = (events: StreamEvent[], synthesized: boolean) => {
    for (const event of events) {
      noteEvent(ctx, event, assembler);
      if (event.type === 'start') streamId = event.id;
      if (encoder) pending += encoder.push(event);
      else if (synthesized && event.type === 'error') pending += ctx.client.encodeStreamError(event.error, { id: streamId, sequenceNumber: forwarded });
    }
    if (watch.ended) finish();
  };
  const finish = () => {
    if (encoder) pending += encoder.end();
    void flush();
    out.end();
    if (watch.completed) {
      ctx.completed = true;
      if (assembler) ctx.response = assembledOrUndefined(assembler);
    }
  };

  try {
    for await (const messages of batches) {
      // After the end (good or bad) the rest is only drained, so the upstream connection can be reused.
      if (watch.ended) continue;
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      for (const received of messages) {
        if (watch.ended) break;
        const events = withEventHooks(watch.push(received, decoder.push(received)), eventHooks);
        if (forward) {
          const message = withMessageHooks(received, messageHooks);
          if (message) {
            // An upstream's own error event may echo its credential; ordinary chunks are not scanned.
            const data = events.some((e) => e.type === 'error') ? scrubText(message.data, [provider.apiKey]) : message.data;
            pending += message.event ? `event: ${message.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
            forwarded++;
          }
        }
        deliver(events, false);
      }
      // Waits only when the client's buffer is full, so a slow client slows the upstream read.
      const waiting = flush();
      if (waiting) await waiting;
    }
  } catch (error) {
    // The client already has the whole answer (or its error): what the connections do now changes nothing.
    if (watch.ended) return;
    if (ctx.abort.aborted) return; // the client left; nothing to tell it
    const failure = streamFailure(error, provider);
    // What the read produced before the failure goes out first (and commits the stream).
    void flush();
    if (!out.committed) throw failure;
    // A translated stream ends through its own encoder, which knows its ids and numbering.
    await out.write(
      encoder
        ? encoder.push({ type: 'error', error: failure.toShape() })
        : ctx.client.encodeStreamError(failure.toShape(), { id: streamId, sequenceNumber: forwarded }),
    );
    ctx.res.end();
    ctx.streamError = failure;
    return;
  }
  if (watch.ended) return;
  const closing = withEventHooks(watch.end(decoder.end()), eventHooks);
  const failed = closing.find((e) => e.type === 'error');
  // Nothing reached the client yet (an empty or event-less body): a plain error answer, and another target may be tried.
  if (failed?.type === 'error' && !out.committed) throw new GatewayError(failed.error);
  deliver(closing, true);
}

/** The events after every plugin's onEvent (each hook sees what the ones before it returned). */
export function withEventHooks(events: StreamEvent[], hooks: readonly AnswerHooks[]): StreamEvent[] {
  if (!hooks.length || !events.length) return events;
  let current = events;
  for (const hook of hooks) {
    const next: StreamEvent[] = [];
    for (const event of current) {
      const replaced = hook.onEvent!(event);
      if (replaced) next.push(...replaced);
      else next.push(event);
    }
    current = next;
  }
  return current;
}

function withMessageHooks(message: SseMessage, hooks: readonly AnswerHooks[]): SseMessage | null {
  let current: SseMessage | null = message;
  for (const hook of hooks) {
    if (!current) return null;
    current = hook.onUpstreamMessage!(current);
  }
  return current;
}

/** Usage, errors and (when a plugin keeps answers) the assembled response, from one delivered event. */
export function noteEvent(ctx: ProxyContext, event: StreamEvent, assembler?: ResponseAssembler): void {
  if (event.type === 'finish') ctx.usage = event.usage;
  else if (event.type === 'usage' || (event.type === 'start' && event.usage)) {
    ctx.usage = { ...(ctx.usage ?? { inputTokens: 0, outputTokens: 0 }), ...(event.usage as Partial<Usage>) };
  } else if (event.type === 'error') ctx.streamError = new GatewayError(event.error);
  if (assembler && event.type !== 'error') assembler.push(event);
}

function assembledOrUndefined(assembler: ResponseAssembler) {
  try {
    return assembler.result();
  } catch {
    return undefined;
  }
}
