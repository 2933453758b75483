import type { ModelEntry } from '../../snapshot/types.js';
import type { ClientApi, UpstreamWire } from '../../core/wire.js';
import type { UpstreamFormat } from '../formats/format.js';
import type { CanonicalRequest } from '../../core/request.js';
import { NATIVE_WIRE } from '../formats/registry.js';
import { defaultBodyFields, withDefaults } from './request-defaults.js';
import { rewriteNativeBody } from '../../prompts/native-body.js';
import { applyRelay } from '../../relay/prepare.js';

export interface PreparedBody {
  body: string | Buffer;
  /** True when the client's own body goes upstream (same wire format). */
  passthrough: boolean;
  /** Chat Completions usage chunk asked for by the gateway, not the client: drop it on the way back. */
  dropUsageChunk: boolean;
  /** The upstream answers as a stream (the client asked, or a relay upstream streams only). */
  upstreamStream: boolean;
  /** Set when a passthrough Responses answer must echo these instructions (the client's) instead of what went upstream. */
  echoInstructions?: string | null;
  /** Text the gateway injected (relay upstream instructions), for the injected-tokens count. */
  injected: string;
  /** What the translation could not carry (tools, fields, items dropped); empty for a passthrough. */
  warnings?: string[];
}

type EncodedBody = Pick<PreparedBody, 'body' | 'passthrough' | 'dropUsageChunk' | 'warnings'>;

/**
 * The upstream request body. Same format in and out: the client's JSON with
 * only the fields the gateway owns changed (model; usage reporting on chat
 * streams), so unknown and future fields survive. Otherwise: encoded from the
 * canonical request by the provider's wire format. When prompt rules changed
 * the conversation (`rewritten`), a passthrough re-encodes only the
 * conversation fields (prompts/native-body.ts). Relay providers then reshape it
 * (relay/prepare.ts).
 */
export function prepareUpstreamBody(
  api: ClientApi,
  wire: UpstreamWire,
  format: UpstreamFormat,
  request: CanonicalRequest,
  body: Record<string, unknown>,
  rawBody: Buffer,
  model: ModelEntry,
  rewritten = false,
): PreparedBody {
  const encoded = encodeBody(api, wire, format, request, body, rawBody, model, rewritten);
  return applyRelay(api, request, encoded, model.provider, rewritten);
}

function encodeBody(
  api: ClientApi,
  wire: UpstreamWire,
  format: UpstreamFormat,
  request: CanonicalRequest,
  body: Record<string, unknown>,
  rawBody: Buffer,
  model: ModelEntry,
  rewritten: boolean,
): EncodedBody {
  const wantsUsageChunk = wire === 'openai-chat' && request.stream;
  if (NATIVE_WIRE[api] === wire) {
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    const clientAskedUsage = streamOptions?.include_usage === true;
    const needsUsage = wantsUsageChunk && !clientAskedUsage;
    const defaults = defaultBodyFields(model);
    if (!rewritten && body.model === model.upstreamModel && !needsUsage && !defaults) return { body: rawBody, passthrough: true, dropUsageChunk: false, warnings: [] };
    const out = withDefaults(rewritten ? rewriteNativeBody(api, request, body, model.upstreamModel) : { ...body, model: model.upstreamModel }, defaults);
    if (needsUsage) out.stream_options = { ...(streamOptions ?? {}), include_usage: true };
    return { body: JSON.stringify(out), passthrough: true, dropUsageChunk: needsUsage, warnings: [] };
  }
  // The chat encoder asks for the usage chunk itself on streams. Each attempt collects its own warnings.
  const warnings = [...(request.warnings ?? [])];
  const encoded = format.encodeRequest(request, { upstreamModel: model.upstreamModel, maxOutputTokens: model.maxOutputTokens, warnings });
  return { body: JSON.stringify(withDefaults(encoded, defaultBodyFields(model))), passthrough: false, dropUsageChunk: false, warnings };
}
