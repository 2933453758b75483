import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { invalidRequest } from '../../canonical/index.js';
import { isRecord } from '../shared/json.js';

/**
 * OpenAI `/v1/embeddings` ⇄ Gemini `models/{model}:batchEmbedContents`.
 * Gemini returns no token counts, so `usage` is an o200k estimate of the inputs.
 */

export interface OpenAIEmbeddingList {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Validates the OpenAI body and returns the inputs as a list of strings. */
export function embeddingInputs(body: unknown): string[] {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object');
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string')) return input as string[];
  throw invalidRequest('input: must be a string or a non-empty array of strings (token arrays are not supported for this model)', 'input');
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
export function decodeGeminiEmbeddingResponse(body: unknown, model: string, inputs: string[]): OpenAIEmbeddingList {
  const embeddings = isRecord(body) && Array.isArray(body.embeddings) ? body.embeddings : [];
  const data = embeddings.map((item, index) => ({
    object: 'embedding' as const,
    index,
    embedding: isRecord(item) && Array.isArray(item.values) ? (item.values as number[]) : [],
  }));
  const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
