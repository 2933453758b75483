import { performance } from 'node:perf_hooks';
import { sendJson } from '../http/json.js';
import type { UpstreamFormat } from '../proxy/formats/format.js';
import type { SseMessage } from '../core/stream-event.js';
import type { ProxyContext } from '../proxy/pipeline/context.js';
import { StreamWatch, streamFailure } from '../proxy/pipeline/stream-watch.js';
import { guardedDecoder } from '../proxy/pipeline/guarded-decode.js';
import { ResponseAssembler } from './assemble.js';

/**
 * A non-streaming client over an upstream that only streams: the upstream's
 * stream is decoded into canonical events, judged by the same stream watch as
 * a relayed stream (garbage or a missing final event fail the request),
 * assembled into one answer and sent in the client's own format (a Responses
 * client's echo comes from its own request, so it repeats its own instructions).
 */
export async function answerFromStream(ctx: ProxyContext, messages: AsyncIterable<SseMessage>, format: UpstreamFormat): Promise<void> {
  const decoder = guardedDecoder(format.createStreamDecoder(), ctx.model!.provider);
  const watch = new StreamWatch(format.name);
  const assembler = new ResponseAssembler();
  try {
    for await (const message of messages) {
      if (watch.ended) continue;
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      for (const event of watch.push(message, decoder.push(message))) assembler.push(event);
    }
    if (!watch.ended) for (const event of watch.end(decoder.end())) assembler.push(event);
  } catch (error) {
    // The whole answer is already assembled: a connection failing after the final event changes nothing.
    if (!watch.completed) throw streamFailure(error, ctx.model!.provider);
  }
  const response = assembler.result();
  ctx.usage = response.usage;
  const encoded = ctx.client.encodeResponse(response, ctx.request!);
  if (ctx.key?.logBodies) ctx.responseBody = JSON.stringify(encoded);
  sendJson(ctx.res, 200, encoded);
  ctx.completed = true;
}
