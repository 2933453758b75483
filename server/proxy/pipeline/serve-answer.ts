import { setTimeout as sleep } from 'node:timers/promises';
import { sendJson } from '../../http/json.js';
import { ClientStream } from './client-stream.js';
import type { GenerationContext } from './context.js';
import type { PluginAnswer } from './plugin.js';
import { responseEvents } from './response-events.js';

/**
 * Serves an answer a plugin produced (no upstream call) in the client's own
 * format: one JSON body, or — when the client asked to stream — the answer as
 * a stream of events through the client's stream encoder, paced when the
 * plugin asks, usage included.
 */
export async function serveAnswer(ctx: GenerationContext, answer: PluginAnswer): Promise<void> {
  const { response } = answer;
  for (const [name, value] of Object.entries(answer.headers ?? {})) ctx.res.setHeader(name, value);
  ctx.usage = response.usage;
  ctx.response = response;
  ctx.ttftMs = 0;
  if (!ctx.request.stream) {
    const encoded = ctx.client.encodeResponse(response, ctx.request);
    if (ctx.key.logBodies) ctx.responseBody = JSON.stringify(encoded);
    sendJson(ctx.res, 200, encoded);
    ctx.completed = true;
    return;
  }
  const out = new ClientStream(ctx.res);
  const encoder = ctx.client.createStreamEncoder(ctx.request);
  const interval = answer.streamIntervalMs ?? 0;
  for (const event of responseEvents(response)) {
    if (ctx.abort.aborted) return;
    await out.write(encoder.push(event));
    if (interval > 0 && event.type.endsWith('-delta')) await sleep(interval);
  }
  await out.write(encoder.end());
  out.end();
  ctx.completed = true;
}
