/** The /v1 endpoints beyond text generation, each its own request-log kind (RequestRecord.clientApi). */
export const MEDIA_ENDPOINTS = ['image_generations', 'image_edits', 'audio_speech', 'audio_transcriptions', 'rerank', 'moderations'] as const;
export type MediaEndpoint = (typeof MEDIA_ENDPOINTS)[number];

/** Body shapes of /rerank upstreams. jina: query, documents, top_n → results; cohere: the same with string documents (v2); voyage: top_k → data. */
export type RerankDialect = 'jina' | 'cohere' | 'voyage';
