import type { ClientFormat, UpstreamFormat } from '../format.js';
import { decodeAnthropicRequest } from './request-decode.js';
import { encodeAnthropicResponse } from './response-encode.js';
import { createAnthropicStreamEncoder } from './stream-encoder.js';
import { decodeAnthropicErrorMessage, encodeAnthropicError, encodeAnthropicStreamError } from './errors.js';
import { encodeAnthropicRequest } from './request-encode.js';
import { decodeAnthropicResponse } from './response-decode.js';
import { createAnthropicStreamDecoder } from './stream-decoder.js';

/** Anthropic Messages as a client API (`POST /v1/messages`). */
export const anthropicClient: ClientFormat = {
  name: 'messages',
  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  createStreamEncoder: createAnthropicStreamEncoder,
  encodeError: encodeAnthropicError,
  encodeStreamError: encodeAnthropicStreamError,
};

/** Anthropic Messages as a provider wire format. */
export const anthropicUpstream: UpstreamFormat = {
  name: 'anthropic-messages',
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
  decodeErrorMessage: decodeAnthropicErrorMessage,
};

export { estimateInputTokens } from './count-tokens.js';
export { DEFAULT_MAX_TOKENS, EFFORT_TO_BUDGET } from './request-encode.js';
export { anthropicErrorType, kindFromAnthropicType } from './errors.js';
export { JSON_RESPONSE_TOOL } from './types.js';
