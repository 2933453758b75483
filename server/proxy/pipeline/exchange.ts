import { performance } from 'node:perf_hooks';
import { sendJson } from '../../http/json.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../../core/error.js';
import type { SseMessage, StreamEncoder, StreamEvent } from '../../core/stream-event.js';
import type { UpstreamFormat } from '../formats/format.js';
import type { Usage } from '../../core/usage.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { wireOf } from '../providers/endpoints.js';
import { readSse } from '../upstream/sse-reader.js';
import { scrubText } from '../../secrets/redactor.js';
import { StreamWatch, streamFailure, streamTotalMs } from './stream-watch.js';
import { decodeOrBadGateway, guardedDecoder } from './guarded-decode.js';
import { ClientStream } from './client-stream.js';
import type { ProxyContext } from './context.js';
import { prepareUpstreamBody, type PreparedBody } from './upstream-body.js';
import { restoreEchoInBody, restoreEchoInEvent } from '../../relay/echo.js';
import { injectedTokenCount } from '../../relay/tokens.js';
import { answerFromStream } from '../../relay/whole-answer.js';
import { callUpstream, expectEventStream, readUpstreamJson } from './upstream-call.js';
import { clientProtocolHeaders } from './client-headers.js';
import { noteWarnings } from './warnings.js';

/**
 * One attempt against one model: send, then answer the client (whole or
 * streamed). Throws GatewayError while nothing has been sent to the client, so
 * a caller may try another target; after the first byte, failures become an
 * in-stream error event in the client's format.
 */
export async function exchange(
  ctx: ProxyContext,
  model: ModelEntry,
  signal: AbortSignal = ctx.abort.signal,
  /** Called once the upstream has answered with a success status (before the body). */
  onResponse?: () => void,
): Promise<void> {
  const request = ctx.request!;
  const wire = wireOf(model.provider);
  const format = UPSTREAM_FORMATS[wire];
  const prepared = prepareUpstreamBody(ctx.api, wire, format, request, ctx.body!, ctx.rawBody!, model, (ctx.rulesApplied?.length ?? 0) > 0);
  ctx.injectedTokens = injectedTokenCount(prepared.injected);
  noteWarnings(ctx, prepared.warnings);
  const protocol = clientProtocolHeaders(ctx.api, wire, ctx.req.headers);
  const response = await callUpstream(model, prepared.upstreamStream ? 'stream' : 'generate', prepared.body, signal, protocol);
  onResponse?.();

  const limits = { maxEventBytes: ctx.services.config.maxUpstreamResponseBytes, totalMs: streamTotalMs(model.provider.options, ctx.services.config.upstreamStreamTotalMs) };
  if (request.stream || prepared.upstreamStream) await expectEventStream(response, model);
  if (request.stream) return relayStream(ctx, readSse(response.body, limits), format, prepared);
  // A relay upstream that only streams, for a client that asked for one whole answer.
  if (prepared.upstreamStream) return answerFromStream(ctx, readSse(response.body, limits), format);

  const { text, json } = await readUpstreamJson(response, model, ctx.services.config.maxUpstreamResponseBytes);
  ctx.ttftMs = performance.now() - ctx.startedAt;
  const canonical = decodeOrBadGateway(model.provider, () => format.decodeResponse(json));
  ctx.usage = canonical.usage;
  if (prepared.passthrough) {
    const out = prepared.echoInstructions === undefined ? text : restoreEchoInBody(text, prepared.echoInstructions);
    if (ctx.key?.logBodies) ctx.responseBody = out;
    ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    ctx.res.end(out);
  } else {
    const encoded = ctx.client.encodeResponse(canonical, request);
    if (ctx.key?.logBodies) ctx.responseBody = JSON.stringify(encoded);
    sendJson(ctx.res, 200, encoded);
  }
  ctx.completed = true;
}

/**
 * Streams the upstream's SSE to the client. Every upstream event is decoded
 * (usage, finish, errors) and judged by the stream watch; a translated stream
 * is re-encoded in the client's format, a same-format stream is forwarded as
 * received. Either way a broken upstream (garbage, cut off, too slow in total)
 * ends with an error event in the client's format, and a stream whose final
 * event reached the client counts as complete whatever the connections do after.
 */
async function relayStream(
  ctx: ProxyContext,
  messages: AsyncIterable<SseMessage>,
  format: UpstreamFormat,
  { passthrough, dropUsageChunk, echoInstructions }: PreparedBody,
): Promise<void> {
  const out = new ClientStream(ctx.res);
  const decoder = guardedDecoder(format.createStreamDecoder(), ctx.model!.provider);
  const watch = new StreamWatch(format.name);
  const encoder: StreamEncoder | null = passthrough ? null : ctx.client.createStreamEncoder(ctx.request!);
  // Where a forwarded stream stands, so an error appended to it continues it.
  let streamId: string | undefined;
  let forwarded = 0;

  /** `synthesized`: made by the gateway (not an upstream event already forwarded), so a forwarded stream must be told too. */
  const deliver = async (events: StreamEvent[], synthesized: boolean) => {
    for (const event of events) {
      noteUsage(ctx, event);
      if (event.type === 'start') streamId = event.id;
      if (encoder) await out.write(encoder.push(event));
      else if (synthesized && event.type === 'error') await out.write(ctx.client.encodeStreamError(event.error, { id: streamId, sequenceNumber: forwarded }));
    }
    if (!watch.ended) return;
    if (encoder) await out.write(encoder.end());
    out.end();
    if (watch.completed) ctx.completed = true;
  };

  try {
    for await (const received of messages) {
      // After the end (good or bad) the rest is only drained, so the upstream connection can be reused.
      if (watch.ended) continue;
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      const events = watch.push(received, decoder.push(received));
      const message = echoInstructions === undefined ? received : restoreEchoInEvent(received, echoInstructions);
      if (passthrough && !(dropUsageChunk && isUsageOnlyChunk(message.data))) {
        // An upstream's own error event may echo its credential; ordinary chunks are not scanned.
        const data = events.some((e) => e.type === 'error') ? scrubText(message.data, [ctx.model?.provider.apiKey]) : message.data;
        await out.write(message.event ? `event: ${message.event}\ndata: ${data}\n\n` : `data: ${data}\n\n`);
        forwarded++;
      }
      await deliver(events, false);
    }
  } catch (error) {
    // The client already has the whole answer (or its error): what the connections do now changes nothing.
    if (watch.ended) return;
    if (ctx.abort.signal.aborted) return; // the client left; nothing to tell it
    const failure = streamFailure(error, ctx.model!.provider);
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
  const closing = watch.end(decoder.end());
  const failed = closing.find((e) => e.type === 'error');
  // Nothing reached the client yet (an empty or event-less body): a plain error answer, and another target may be tried.
  if (failed?.type === 'error' && !out.committed) throw new GatewayError(failed.error);
  await deliver(closing, true);
}

function noteUsage(ctx: ProxyContext, event: StreamEvent): void {
  if (event.type === 'finish') ctx.usage = event.usage;
  else if (event.type === 'usage' || (event.type === 'start' && event.usage)) {
    ctx.usage = { ...(ctx.usage ?? { inputTokens: 0, outputTokens: 0 }), ...(event.usage as Partial<Usage>) };
  } else if (event.type === 'error') ctx.streamError = new GatewayError(event.error);
}

/** `{"choices":[],"usage":{…}}`: the chunk a chat stream sends for include_usage. */
function isUsageOnlyChunk(data: string): boolean {
  return data.includes('"usage"') && /"choices"\s*:\s*\[\s*\]/.test(data);
}
