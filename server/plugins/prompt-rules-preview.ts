import type { ClientApi } from '../core/wire.js';
import { CLIENT_FORMATS } from '../proxy/formats/registry.js';
import { applyPromptRules } from '../prompts/apply.js';
import { rewriteNativeBody } from '../proxy/formats/native-body.js';
import type { CompiledRule, FiredRule } from '../prompts/types.js';

export interface RulePreview {
  /** The request as the upstream would receive it, in the sample's own format. */
  request: Record<string, unknown>;
  fired: FiredRule[];
}

/**
 * What rules make of a sample request: decoded by the client API's own decoder
 * (a GatewayError names the bad field), rewritten, and encoded back into the
 * same API, exactly as a same-format passthrough would send it.
 */
export function previewPromptRules(rules: readonly CompiledRule[], api: ClientApi, sample: Record<string, unknown>): RulePreview {
  const request = CLIENT_FORMATS[api].decodeRequest(sample);
  const fired = applyPromptRules(rules, request);
  if (fired.length === 0) return { request: sample, fired };
  return { request: rewriteNativeBody(api, request, sample, request.model), fired };
}
