import type { CanonicalRequest } from '../../../core/request.js';
import type { UpstreamTarget } from '../format.js';
import { anthropicUpstream } from '../anthropic-messages/index.js';

/** The version InvokeModel expects in the body of an Anthropic Messages request. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * Canonical request → the InvokeModel body: the Anthropic Messages body without
 * `model` (it is in the URL path) and `stream` (the operation says it), with
 * Bedrock's `anthropic_version`; Bedrock refuses both fields.
 */
export function encodeBedrockAnthropicRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown> {
  const { model: _model, stream: _stream, ...body } = anthropicUpstream.encodeRequest(request, target);
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...body };
}
