import { GatewayError, invalidRequest } from '../../../core/error.js';
import type { RerankDialect } from '../../../core/media-endpoint.js';
import { optionalBoolean, optionalInteger, requiredString } from './fields.js';

/**
 * POST /v1/rerank in the Cohere/Jina shape: { model, query, documents, top_n,
 * return_documents } → { results: [{ index, relevance_score, document? }] }.
 * Jina and OpenAI-compatible servers (vLLM, …) take it as it is; Cohere v2 takes
 * documents as strings; Voyage names top_n `top_k` and answers in `data`.
 */
export interface RerankRequest {
  query: string;
  /** The documents' texts, in order. */
  documents: string[];
  topN?: number;
  returnDocuments?: boolean;
}

export interface RerankAnswer {
  /** The upstream's JSON for the client, in the Cohere/Jina shape. */
  body: Record<string, unknown>;
  /** Searches billed: Cohere's search units where reported, else one per request. */
  searches: number;
  /** Tokens the upstream reports (Jina, Voyage). */
  tokens?: number;
}

const MAX_DOCUMENTS = 10_000;

export function decodeRerankRequest(body: Record<string, unknown>): RerankRequest {
  const query = requiredString(body, 'query');
  const docs = body.documents;
  if (!Array.isArray(docs) || docs.length === 0) throw invalidRequest('documents: is required (a non-empty array)', 'documents');
  if (docs.length > MAX_DOCUMENTS) throw invalidRequest(`documents: at most ${MAX_DOCUMENTS} documents`, 'documents');
  const documents = docs.map((d, i) => {
    if (typeof d === 'string') return d;
    if (d && typeof d === 'object' && typeof (d as { text?: unknown }).text === 'string') return (d as { text: string }).text;
    throw invalidRequest(`documents[${i}]: must be a string or { text }`, `documents[${i}]`);
  });
  return { query, documents, topN: optionalInteger(body, 'top_n', 1, MAX_DOCUMENTS), returnDocuments: optionalBoolean(body, 'return_documents') };
}

/** The upstream body: the client's own fields kept for Jina-shaped upstreams, reshaped for Cohere v2 and Voyage. */
export function encodeRerankRequest(
  dialect: RerankDialect,
  body: Record<string, unknown>,
  request: RerankRequest,
  upstreamModel: string,
): Record<string, unknown> {
  switch (dialect) {
    case 'jina':
      return { ...body, model: upstreamModel };
    case 'cohere': {
      const { return_documents: _dropped, ...rest } = body;
      return { ...rest, model: upstreamModel, documents: request.documents };
    }
    case 'voyage':
      return {
        model: upstreamModel,
        query: request.query,
        documents: request.documents,
        ...(request.topN !== undefined && { top_k: request.topN }),
        ...(request.returnDocuments !== undefined && { return_documents: request.returnDocuments }),
      };
    default: {
      const exhaustive: never = dialect;
      return exhaustive;
    }
  }
}

/** The upstream's answer in the client's shape, with what it bills. */
export function decodeRerankAnswer(dialect: RerankDialect, answer: unknown, request: RerankRequest, providerName: string): RerankAnswer {
  const bad = (why: string) =>
    new GatewayError({ status: 502, kind: 'upstream', message: `The provider "${providerName}" sent a rerank answer without ${why}` });
  if (!answer || typeof answer !== 'object') throw bad('a JSON object');
  const a = answer as Record<string, unknown>;
  const list = dialect === 'voyage' ? a.data : a.results;
  if (!Array.isArray(list)) throw bad(dialect === 'voyage' ? '`data`' : '`results`');
  for (const r of list) {
    const item = r as { index?: unknown; relevance_score?: unknown };
    if (!Number.isInteger(item?.index) || typeof item.relevance_score !== 'number') throw bad('an index and relevance_score in every result');
  }
  const usage = a.usage as { total_tokens?: unknown } | undefined;
  const tokens = typeof usage?.total_tokens === 'number' ? usage.total_tokens : undefined;
  const units = (a.meta as { billed_units?: { search_units?: unknown } } | undefined)?.billed_units?.search_units;
  const searches = typeof units === 'number' && units >= 0 ? units : 1;
  if (dialect !== 'voyage') return { body: a, searches, tokens };
  const results = list.map((r: { index: number; relevance_score: number; document?: unknown }) => ({
    index: r.index,
    relevance_score: r.relevance_score,
    ...(request.returnDocuments && { document: { text: typeof r.document === 'string' ? r.document : request.documents[r.index] } }),
  }));
  return { body: { model: a.model, results, ...(tokens !== undefined && { usage: { total_tokens: tokens } }) }, searches, tokens };
}
