import type { ClientFormat, UpstreamFormat } from '../format.js';
import { decodeOpenAIErrorMessage, encodeOpenAIError } from './errors.js';
import { decodeChatRequest } from './request-decode.js';
import { encodeChatRequest } from './request-encode.js';
import { decodeChatResponse } from './response-decode.js';
import { encodeChatResponse } from './response-encode.js';
import { createChatStreamDecoder } from './stream-decoder.js';
import { createChatStreamEncoder, encodeChatStreamError } from './stream-encoder.js';

/** OpenAI Chat Completions as a client API (`POST /v1/chat/completions`). */
export const openAIChatClient: ClientFormat = {
  name: 'chat-completions',
  decodeRequest: decodeChatRequest,
  encodeResponse: encodeChatResponse,
  createStreamEncoder: createChatStreamEncoder,
  encodeError: encodeOpenAIError,
  encodeStreamError: encodeChatStreamError,
};

/** Chat Completions as a provider wire format (OpenAI and every OpenAI-compatible API). */
export const openAIChatUpstream: UpstreamFormat = {
  name: 'openai-chat',
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  createStreamDecoder: createChatStreamDecoder,
  decodeErrorMessage: decodeOpenAIErrorMessage,
};

export { encodeOpenAIError, decodeOpenAIErrorMessage, openAIErrorType } from './errors.js';
export type { OpenAIErrorBody } from './errors.js';
