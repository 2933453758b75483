import type { UpstreamFormat } from '../format.js';
import { decodeAnthropicResponse } from '../anthropic-messages/response-decode.js';
import { decodeBedrockErrorMessage } from '../bedrock-converse/errors.js';
import { encodeBedrockAnthropicRequest } from './request-encode.js';
import { createBedrockAnthropicStreamDecoder } from './stream-decoder.js';

/**
 * Anthropic models on Amazon Bedrock through InvokeModel: the Anthropic Messages
 * body and answer, as the Anthropic wire format shapes and reads them, with
 * Bedrock's envelope around them. The adapter builds the URL
 * (`POST {base}/model/{modelId}/invoke`, or `/invoke-with-response-stream`,
 * whose answer is an AWS event stream of `chunk` frames) and signs it (SigV4).
 * Chosen over Converse by the provider type `bedrock-anthropic`: cache_control,
 * thinking signatures and Anthropic's own tools pass as Anthropic spells them.
 */
export const bedrockAnthropicUpstream: UpstreamFormat = {
  name: 'bedrock-anthropic',
  encodeRequest: encodeBedrockAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: createBedrockAnthropicStreamDecoder,
  decodeErrorMessage: decodeBedrockErrorMessage,
};
