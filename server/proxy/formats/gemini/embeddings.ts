import { countTokens } from '../shared/tokens.js';
import { invalidRequest } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';

/**
 * OpenAI `/v1/embeddings` ⇄ Gemini `models/{model}:batchEmbedContents`.
 * Gemini returns no token counts, so `usage` is an o200k estimate of the inputs.
 */

export interface OpenAIEmbeddingList {
  object: 'list';
  /** Floats, or base64 of little-endian float32 when the caller asked for `encoding_format: 'base64'`. */
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Validates the OpenAI body and returns the inputs as a list of strings. */
export function embeddingInputs(body: unknown): string[] {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object');
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string')) return input;
  throw invalidRequest('input: must be a string or a non-empty array of strings (token arrays are not supported for this model)', 'input');
}

export type EmbeddingEncoding = 'float' | 'base64';

/**
 * OpenAI's `encoding_format`. The OpenAI SDKs ask for base64 unless told otherwise
 * and decode it themselves, so the translated answer must honour it.
 */
export function embeddingEncoding(body: unknown): EmbeddingEncoding {
  const value = isRecord(body) ? body.encoding_format : undefined;
  if (value === undefined || value === null || value === 'float') return 'float';
  if (value === 'base64') return 'base64';
  throw invalidRequest("encoding_format: must be 'float' or 'base64'", 'encoding_format');
}

/** Little-endian float32 bytes, base64-encoded: OpenAI's base64 embedding format. */
export function float32Base64(values: number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

/** OpenAI embeddings body → batchEmbedContents body for `upstreamModel`. */
export function encodeGeminiEmbeddingRequest(body: unknown, upstreamModel: string): Record<string, unknown> {
  const inputs = embeddingInputs(body);
  const dimensions = isRecord(body) ? body.dimensions : undefined;
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)) {
    throw invalidRequest('dimensions: must be a positive integer', 'dimensions');
  }
  const model = upstreamModel.startsWith('models/') ? upstreamModel : `models/${upstreamModel}`;
  return {
    requests: inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(dimensions !== undefined ? { outputDimensionality: dimensions } : {}),
    })),
  };
}

/** batchEmbedContents response → OpenAI embedding list; `inputs` feed the usage estimate. */
export function decodeGeminiEmbeddingResponse(body: unknown, model: string, inputs: string[], encoding: EmbeddingEncoding = 'float'): OpenAIEmbeddingList {
  const embeddings = isRecord(body) && Array.isArray(body.embeddings) ? body.embeddings : [];
  const data = embeddings.map((item, index) => {
    const values = isRecord(item) && Array.isArray(item.values) ? (item.values as number[]) : [];
    return { object: 'embedding' as const, index, embedding: encoding === 'base64' ? float32Base64(values) : values };
  });
  const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
