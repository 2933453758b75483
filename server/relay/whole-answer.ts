import { performance } from 'node:perf_hooks';
import { sendJson } from '../http/json.js';
import type { UpstreamFormat } from '../proxy/canonical/format.js';
import type { ProxyContext } from '../proxy/pipeline/context.js';
import { readSse } from '../proxy/upstream/sse-reader.js';
import { upstreamTransportError } from '../proxy/upstream/upstream-error.js';
import { GatewayError } from '../proxy/canonical/error.js';
import { ResponseAssembler } from './assemble.js';

/**
 * A non-streaming client over an upstream that only streams: the upstream's
 * stream is decoded into canonical events, assembled into one answer and sent
 * in the client's own format (a Responses client's echo comes from its own
 * request, so it repeats its own instructions).
 */
export async function answerFromStream(ctx: ProxyContext, body: AsyncIterable<Uint8Array>, format: UpstreamFormat): Promise<void> {
  const decoder = format.createStreamDecoder();
  const assembler = new ResponseAssembler();
  try {
    for await (const message of readSse(body)) {
      if (ctx.ttftMs === undefined) ctx.ttftMs = performance.now() - ctx.startedAt;
      for (const event of decoder.push(message)) assembler.push(event);
    }
    for (const event of decoder.end()) assembler.push(event);
  } catch (error) {
    throw error instanceof GatewayError ? error : upstreamTransportError(error, ctx.model!.provider);
  }
  const response = assembler.result();
  ctx.usage = response.usage;
  const encoded = ctx.client.encodeResponse(response, ctx.request!);
  if (ctx.key?.logBodies) ctx.responseBody = JSON.stringify(encoded);
  sendJson(ctx.res, 200, encoded);
}
