import { decodeRerankAnswer, decodeRerankRequest, encodeRerankRequest, type RerankRequest } from '../formats/media/rerank.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { presetOf } from '../providers/endpoints.js';
import { readAnswerJson, sendAnswerText } from './media-answer.js';
import { readMediaJson } from './media-body.js';
import { mediaHandler } from './media-endpoint.js';

/** POST /v1/rerank in the Cohere/Jina shape, reshaped per upstream (formats/media/rerank.ts); billed per search plus tokens. */
export function rerankHandler(deps: PipelineDeps) {
  return mediaHandler<{ body: Record<string, unknown>; rerank: RerankRequest }>('rerank', deps, {
    async read(ctx) {
      const { json, model } = await readMediaJson(ctx);
      return { model, request: { body: json, rerank: decodeRerankRequest(json) }, estimatedTokens: Math.ceil(ctx.rawBody!.length / 4) };
    },
    encode: ({ body, rerank }, model) => ({
      bytes: JSON.stringify(encodeRerankRequest(presetOf(model.provider).rerank ?? 'jina', body, rerank, model.upstreamModel)),
      contentType: 'application/json',
    }),
    async answer(ctx, model, response, { rerank }) {
      const dialect = presetOf(model.provider).rerank ?? 'jina';
      const { text, json } = await readAnswerJson(ctx, model, response);
      const out = decodeRerankAnswer(dialect, json, rerank, model.provider.name);
      if (out.tokens !== undefined) ctx.usage = { inputTokens: out.tokens, outputTokens: 0 };
      ctx.unitCostUsd = out.searches * (model.unitPrices?.search ?? 0);
      sendAnswerText(ctx, dialect === 'voyage' ? JSON.stringify(out.body) : text);
    },
  });
}
