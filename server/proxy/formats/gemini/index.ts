import type { UpstreamFormat } from '../format.js';
import { decodeGeminiErrorMessage } from './errors.js';
import { encodeGeminiRequest } from './request-encode.js';
import { decodeGeminiResponse } from './response-decode.js';
import { createGeminiStreamDecoder } from './stream-decoder.js';

/**
 * Google Gemini generateContent as a provider wire format. The adapter builds the URL:
 * `POST {base}/v1beta/models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` for streams.
 */
export const geminiUpstream: UpstreamFormat = {
  name: 'gemini',
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  decodeErrorMessage: decodeGeminiErrorMessage,
};

export { cleanSchema } from './schema.js';
export { EFFORT_TO_THINKING_BUDGET, SKIP_SIGNATURE, guessMimeType } from './request-encode.js';
export { decodeGeminiEmbeddingResponse, embeddingEncoding, embeddingInputs, encodeGeminiEmbeddingRequest } from './embeddings.js';
export type { EmbeddingEncoding, OpenAIEmbeddingList } from './embeddings.js';
