import type { UpstreamFormat } from '../format.js';
import { decodeBedrockErrorMessage } from './errors.js';
import { encodeBedrockRequest } from './request-encode.js';
import { decodeBedrockResponse } from './response-decode.js';
import { createBedrockStreamDecoder } from './stream-decoder.js';

/**
 * Amazon Bedrock Converse as a provider wire format. The adapter builds the URL
 * (`POST {base}/model/{modelId}/converse`, or `/converse-stream`, whose answer is
 * an AWS event stream read by upstream/event-stream-reader.ts) and signs it.
 */
export const bedrockConverseUpstream: UpstreamFormat = {
  name: 'bedrock-converse',
  encodeRequest: encodeBedrockRequest,
  decodeResponse: decodeBedrockResponse,
  createStreamDecoder: createBedrockStreamDecoder,
  decodeErrorMessage: decodeBedrockErrorMessage,
};
