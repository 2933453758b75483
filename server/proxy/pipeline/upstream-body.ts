import type { ModelEntry } from '../../snapshot/types.js';
import type { ClientApi, UpstreamFormat, UpstreamWire } from '../canonical/format.js';
import type { CanonicalRequest } from '../canonical/request.js';
import { NATIVE_WIRE } from '../formats/registry.js';

export interface PreparedBody {
  body: string | Buffer;
  /** True when the client's own body goes upstream (same wire format). */
  passthrough: boolean;
  /** Chat Completions usage chunk asked for by the gateway, not the client: drop it on the way back. */
  dropUsageChunk: boolean;
}

/**
 * The upstream request body. Same format in and out: the client's JSON with
 * only the fields the gateway owns changed (model; usage reporting on chat
 * streams), so unknown and future fields survive. Otherwise: encoded from the
 * canonical request by the provider's wire format.
 */
export function prepareUpstreamBody(
  api: ClientApi,
  wire: UpstreamWire,
  format: UpstreamFormat,
  request: CanonicalRequest,
  body: Record<string, unknown>,
  rawBody: Buffer,
  model: ModelEntry,
): PreparedBody {
  const wantsUsageChunk = wire === 'openai-chat' && request.stream;
  if (NATIVE_WIRE[api] === wire) {
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    const clientAskedUsage = streamOptions?.include_usage === true;
    const needsUsage = wantsUsageChunk && !clientAskedUsage;
    if (body.model === model.upstreamModel && !needsUsage) return { body: rawBody, passthrough: true, dropUsageChunk: false };
    const out: Record<string, unknown> = { ...body, model: model.upstreamModel };
    if (needsUsage) out.stream_options = { ...(streamOptions ?? {}), include_usage: true };
    return { body: JSON.stringify(out), passthrough: true, dropUsageChunk: needsUsage };
  }
  // The chat encoder asks for the usage chunk itself on streams.
  const encoded = format.encodeRequest(request, { upstreamModel: model.upstreamModel, maxOutputTokens: model.maxOutputTokens });
  return { body: JSON.stringify(encoded), passthrough: false, dropUsageChunk: false };
}
