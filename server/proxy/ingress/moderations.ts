import { checkModerationRequest } from '../formats/media/moderations.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { readAnswerJson, sendAnswerText } from './media-answer.js';
import { readMediaJson } from './media-body.js';
import { mediaHandler } from './media-endpoint.js';

/** POST /v1/moderations in OpenAI's shape: passed through with the target's model name; billed by tokens where the upstream reports them. */
export function moderationsHandler(deps: PipelineDeps) {
  return mediaHandler<Record<string, unknown>>('moderations', deps, {
    async read(ctx) {
      const { json, model } = await readMediaJson(ctx);
      checkModerationRequest(json);
      return { model, request: json, estimatedTokens: Math.ceil(ctx.rawBody!.length / 4) };
    },
    encode: (body, model) => ({ bytes: JSON.stringify({ ...body, model: model.upstreamModel }), contentType: 'application/json' }),
    async answer(ctx, model, response) {
      const { text, json } = await readAnswerJson(ctx, model, response);
      const tokens = (json as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens;
      if (typeof tokens === 'number') ctx.usage = { inputTokens: tokens, outputTokens: 0 };
      sendAnswerText(ctx, text);
    },
  });
}
