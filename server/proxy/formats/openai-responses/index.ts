import type { ClientFormat, UpstreamFormat } from '../format.js';
import { decodeOpenAIErrorMessage, encodeOpenAIError } from '../openai-chat/errors.js';
import { decodeResponsesRequest } from './request-decode.js';
import { encodeResponsesRequest } from './request-encode.js';
import { decodeResponsesResponse } from './response-decode.js';
import { encodeResponsesResponse } from './response-encode.js';
import { createResponsesStreamDecoder } from './stream-decoder.js';
import { createResponsesStreamEncoder, encodeResponsesStreamError } from './stream-encoder.js';

/** OpenAI Responses as a client API (`POST /v1/responses`); errors use the OpenAI error body. */
export const openAIResponsesClient: ClientFormat = {
  name: 'responses',
  decodeRequest: decodeResponsesRequest,
  encodeResponse: encodeResponsesResponse,
  createStreamEncoder: createResponsesStreamEncoder,
  encodeError: encodeOpenAIError,
  encodeStreamError: encodeResponsesStreamError,
};

/** Responses as a provider wire format, for upstreams that speak only Responses. */
export const openAIResponsesUpstream: UpstreamFormat = {
  name: 'openai-responses',
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  createStreamDecoder: createResponsesStreamDecoder,
  decodeErrorMessage: decodeOpenAIErrorMessage,
};
