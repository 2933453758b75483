import { invalidRequest } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { embeddingInputs, float32Base64, type EmbeddingEncoding, type OpenAIEmbeddingList } from './embeddings.js';

/**
 * OpenAI `/v1/embeddings` ⇄ Vertex AI `publishers/google/models/{model}:predict`
 * (text-embedding-005, gemini-embedding-001, …): one instance per input, and the
 * token counts Vertex reports per prediction as the usage.
 */

/** OpenAI embeddings body → the `:predict` body. */
export function encodeVertexEmbeddingRequest(body: unknown): Record<string, unknown> {
  const inputs = embeddingInputs(body);
  const dimensions = isRecord(body) ? body.dimensions : undefined;
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)) {
    throw invalidRequest('dimensions: must be a positive integer', 'dimensions');
  }
  return {
    instances: inputs.map((content) => ({ content })),
    ...(dimensions !== undefined ? { parameters: { outputDimensionality: dimensions } } : {}),
  };
}

/** `:predict` answer → OpenAI embedding list; a prediction without values is the upstream's fault. */
export function decodeVertexEmbeddingResponse(body: unknown, model: string, count: number, encoding: EmbeddingEncoding = 'float'): OpenAIEmbeddingList {
  const predictions = isRecord(body) && Array.isArray(body.predictions) ? body.predictions : undefined;
  if (!predictions || predictions.length !== count) throw new Error(`expected ${count} predictions, got ${predictions ? predictions.length : 'none'}`);
  let tokens = 0;
  const data = predictions.map((p, index) => {
    const embeddings = isRecord(p) && isRecord(p.embeddings) ? p.embeddings : undefined;
    const values = embeddings && Array.isArray(embeddings.values) ? embeddings.values : undefined;
    if (!values || !values.every((v) => typeof v === 'number')) throw new Error(`prediction ${index} has no embedding values`);
    const stats = isRecord(embeddings!.statistics) ? embeddings!.statistics : undefined;
    if (typeof stats?.token_count === 'number') tokens += stats.token_count;
    return { object: 'embedding' as const, index, embedding: encoding === 'base64' ? float32Base64(values) : values };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
