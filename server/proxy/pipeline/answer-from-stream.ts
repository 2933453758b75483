import { performance } from 'node:perf_hooks';
import { sendJson } from '../../http/json.js';
import type { SseMessage } from '../../core/stream-event.js';
import type { UpstreamFormat } from '../formats/format.js';
import { ResponseAssembler } from './assemble.js';
import { withEventHooks } from './answer-stream.js';
import type { GenerationContext } from './context.js';
import { guardedDecoder } from './guarded-decode.js';
import type { AnswerHooks } from './plugin.js';
import { StreamWatch, streamFailure } from './stream-watch.js';

/**
 * A non-streaming client over an upstream that was asked to stream (a relay
 * upstream that only streams): the upstream's stream is decoded into canonical
 * events, judged by the same stream watch as a relayed stream (garbage or a
 * missing final event fail the request), assembled into one answer and sent in
 * the client's own format (a Responses client's echo comes from its own
 * request, so it repeats its own instructions).
 */
export async function answerFromStream(
  ctx: GenerationContext,
  batches: AsyncIterable<SseMessage[]>,
  format: UpstreamFormat,
  hooks: readonly AnswerHooks[],
): Promise<void> {
  const provider = ctx.model!.provider;
  const decoder = guardedDecoder(format.createStreamDecoder(), provider);
  const watch = new StreamWatch(format.name);
  const assembler = new ResponseAssembler();
  const eventHooks = hooks.filter((h) => h.onEvent !== undefined);
  try {
    for await (const messages of batches) {
      if (watch.ended) continue;
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      for (const message of messages) {
        if (watch.ended) break;
        for (const event of withEventHooks(watch.push(message, decoder.push(message)), eventHooks)) assembler.push(event);
      }
    }
    if (!watch.ended) for (const event of withEventHooks(watch.end(decoder.end()), eventHooks)) assembler.push(event);
  } catch (error) {
    // The whole answer is already assembled: a connection failing after the final event changes nothing.
    if (!watch.completed) throw streamFailure(error, provider);
  }
  let response = assembler.result();
  for (const h of hooks) if (h.onResponse) response = h.onResponse(response) ?? response;
  for (const h of hooks) if (h.beforeAnswer) await h.beforeAnswer(response);
  ctx.usage = response.usage;
  ctx.response = response;
  const encoded = ctx.client.encodeResponse(response, ctx.request);
  if (ctx.key.logBodies) ctx.responseBody = JSON.stringify(encoded);
  sendJson(ctx.res, 200, encoded);
  ctx.completed = true;
}
