import { performance } from 'node:perf_hooks';
import type { ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../canonical/error.js';
import type { UpstreamFormat } from '../canonical/format.js';
import type { StreamEvent } from '../canonical/stream-event.js';
import type { Usage } from '../canonical/usage.js';
import { UPSTREAM_FORMATS } from '../formats/registry.js';
import { encodeResponsesStreamError } from '../formats/openai-responses/stream-encoder.js';
import { timeoutsOf, upstreamHeaders, upstreamUrl, wireOf } from '../providers/endpoints.js';
import { sendUpstream } from '../upstream/http-client.js';
import { readSse } from '../upstream/sse-reader.js';
import { readErrorBody, upstreamHttpError, upstreamTransportError } from '../upstream/upstream-error.js';
import { ClientStream } from './client-stream.js';
import type { ProxyContext } from './context.js';
import { prepareUpstreamBody } from './upstream-body.js';
import { sendJson } from '../../http/json.js';

/** Client headers that belong to the protocol and travel upstream on Anthropic passthrough. */
function protocolHeaders(ctx: ProxyContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = ctx.req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * One attempt against one model: send, then answer the client (whole or
 * streamed). Throws GatewayError while nothing has been sent to the client, so
 * a caller may try another target; after the first byte, failures become an
 * in-stream error event in the client's format.
 */
export async function exchange(ctx: ProxyContext, model: ModelEntry, signal: AbortSignal = ctx.abort.signal): Promise<void> {
  const request = ctx.request!;
  const provider = model.provider;
  const wire = wireOf(provider);
  const format = UPSTREAM_FORMATS[wire];
  const prepared = prepareUpstreamBody(ctx.api, wire, format, request, ctx.body!, ctx.rawBody!, model);
  const headers = upstreamHeaders(provider, ctx.api === 'messages' ? protocolHeaders(ctx) : {});

  let response;
  try {
    response = await sendUpstream({
      url: upstreamUrl(model, request.stream ? 'stream' : 'generate'),
      headers,
      body: prepared.body,
      timeouts: timeoutsOf(provider),
      signal,
    });
  } catch (error) {
    throw upstreamTransportError(error, provider);
  }

  if (response.statusCode >= 400) {
    const text = await readErrorBody(response.body);
    const retryAfter = response.headers['retry-after'];
    throw upstreamHttpError(response.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined, format, provider);
  }

  if (!request.stream) {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw upstreamTransportError(error, provider);
    }
    ctx.ttftMs = performance.now() - ctx.startedAt;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new GatewayError({ status: 502, kind: 'upstream', message: `The provider "${provider.name}" returned a response that is not JSON` });
    }
    const canonical = format.decodeResponse(json);
    ctx.usage = canonical.usage;
    if (prepared.passthrough) {
      if (ctx.key?.logBodies) ctx.responseBody = text;
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      ctx.res.end(text);
    } else {
      const encoded = ctx.client.encodeResponse(canonical, request);
      if (ctx.key?.logBodies) ctx.responseBody = JSON.stringify(encoded);
      sendJson(ctx.res, 200, encoded);
    }
    return;
  }

  await relayStream(ctx, response.body, format, prepared.passthrough, prepared.dropUsageChunk);
}

async function relayStream(
  ctx: ProxyContext,
  body: AsyncIterable<Uint8Array>,
  format: UpstreamFormat,
  passthrough: boolean,
  dropUsageChunk: boolean,
): Promise<void> {
  const out = new ClientStream(ctx.res);
  const decoder = format.createStreamDecoder();
  const encoder = passthrough ? null : ctx.client.createStreamEncoder(ctx.request!);
  let finished = false;
  // Where a passthrough stream stands, so an error appended to it continues it.
  let streamId: string | undefined;
  let forwarded = 0;

  const onEvents = async (events: StreamEvent[]) => {
    for (const event of events) {
      noteUsage(ctx, event);
      if (event.type === 'finish' || event.type === 'error') finished = true;
      if (encoder) await out.write(encoder.push(event));
    }
  };

  try {
    for await (const message of readSse(body)) {
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      const events = decoder.push(message);
      if (passthrough) {
        if (!(dropUsageChunk && isUsageOnlyChunk(message.data))) {
          await out.write(message.event ? `event: ${message.event}\ndata: ${message.data}\n\n` : `data: ${message.data}\n\n`);
          forwarded++;
        }
        for (const event of events) {
          noteUsage(ctx, event);
          if (event.type === 'start') streamId = event.id;
          if (event.type === 'finish' || event.type === 'error') finished = true;
        }
      } else {
        await onEvents(events);
      }
    }
    const closing = decoder.end();
    if (passthrough) closing.forEach((e) => noteUsage(ctx, e));
    else await onEvents(closing);
    if (encoder) await out.write(encoder.end());
    out.end();
  } catch (error) {
    if (ctx.abort.signal.aborted) return; // the client left; nothing to tell it
    const failure = error instanceof GatewayError ? error : upstreamTransportError(error, ctx.model!.provider);
    if (!out.committed) throw failure;
    if (!finished) {
      // A translated stream ends through its encoder, which knows the ids and numbering it used.
      if (encoder) await out.write(encoder.push({ type: 'error', error: failure.toShape() }));
      else await out.write(passthroughStreamError(ctx, failure, streamId, forwarded));
    }
    ctx.res.end();
    ctx.streamError = failure;
  }
}

/**
 * The in-stream error appended to an upstream's own stream. Responses events are
 * numbered from 0, one per event, and name their response: the error continues both.
 */
function passthroughStreamError(ctx: ProxyContext, failure: GatewayError, streamId: string | undefined, forwarded: number): string {
  if (ctx.api === 'responses') return encodeResponsesStreamError(failure.toShape(), { id: streamId, sequenceNumber: forwarded });
  return ctx.client.encodeStreamError(failure.toShape());
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
