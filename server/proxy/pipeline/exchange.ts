import { performance } from 'node:perf_hooks';
import { sendJson } from '../../http/json.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../canonical/error.js';
import type { StreamEncoder, StreamEvent } from '../canonical/stream-event.js';
import type { UpstreamFormat } from '../canonical/format.js';
import type { Usage } from '../canonical/usage.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { wireOf } from '../providers/endpoints.js';
import { readSse } from '../upstream/sse-reader.js';
import { upstreamTransportError } from '../upstream/upstream-error.js';
import { ClientStream } from './client-stream.js';
import type { ProxyContext } from './context.js';
import { prepareUpstreamBody, type PreparedBody } from './upstream-body.js';
import { restoreEchoInBody, restoreEchoInEvent } from '../../relay/echo.js';
import { injectedTokenCount } from '../../relay/tokens.js';
import { answerFromStream } from '../../relay/whole-answer.js';
import { anthropicProtocolHeaders, callUpstream, readUpstreamJson } from './upstream-call.js';

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
  const protocol = ctx.api === 'messages' ? anthropicProtocolHeaders(ctx.req.headers) : {};
  const response = await callUpstream(model, prepared.upstreamStream ? 'stream' : 'generate', prepared.body, signal, protocol);
  onResponse?.();

  if (request.stream) return relayStream(ctx, response.body, format, prepared);
  // A relay upstream that only streams, for a client that asked for one whole answer.
  if (prepared.upstreamStream) return answerFromStream(ctx, response.body, format);

  const { text, json } = await readUpstreamJson(response, model);
  ctx.ttftMs = performance.now() - ctx.startedAt;
  const canonical = format.decodeResponse(json);
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
}

/**
 * Streams the upstream's SSE to the client. Every upstream event is decoded
 * (usage, finish, errors); a translated stream is re-encoded in the client's
 * format, a same-format stream is forwarded as received.
 */
async function relayStream(
  ctx: ProxyContext,
  body: AsyncIterable<Uint8Array>,
  format: UpstreamFormat,
  { passthrough, dropUsageChunk, echoInstructions }: PreparedBody,
): Promise<void> {
  const out = new ClientStream(ctx.res);
  const decoder = format.createStreamDecoder();
  const encoder: StreamEncoder | null = passthrough ? null : ctx.client.createStreamEncoder(ctx.request!);
  let finished = false;
  // Where a forwarded stream stands, so an error appended to it continues it.
  let streamId: string | undefined;
  let forwarded = 0;

  const observe = async (events: StreamEvent[]) => {
    for (const event of events) {
      noteUsage(ctx, event);
      if (event.type === 'start') streamId = event.id;
      if (event.type === 'finish' || event.type === 'error') finished = true;
      if (encoder) await out.write(encoder.push(event));
    }
  };

  try {
    for await (const received of readSse(body)) {
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      const events = decoder.push(received);
      const message = echoInstructions === undefined ? received : restoreEchoInEvent(received, echoInstructions);
      if (passthrough && !(dropUsageChunk && isUsageOnlyChunk(message.data))) {
        await out.write(message.event ? `event: ${message.event}\ndata: ${message.data}\n\n` : `data: ${message.data}\n\n`);
        forwarded++;
      }
      await observe(events);
    }
    await observe(decoder.end());
    if (encoder) await out.write(encoder.end());
    out.end();
  } catch (error) {
    if (ctx.abort.signal.aborted) return; // the client left; nothing to tell it
    const failure = error instanceof GatewayError ? error : upstreamTransportError(error, ctx.model!.provider);
    if (!out.committed) throw failure;
    if (!finished) {
      // A translated stream ends through its own encoder, which knows its ids and numbering.
      await out.write(
        encoder
          ? encoder.push({ type: 'error', error: failure.toShape() })
          : ctx.client.encodeStreamError(failure.toShape(), { id: streamId, sequenceNumber: forwarded }),
      );
    }
    ctx.res.end();
    ctx.streamError = failure;
  }
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
