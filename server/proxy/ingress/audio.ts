import { invalidRequest } from '../../core/error.js';
import { decodeSpeechRequest, type SpeechRequest } from '../formats/media/speech.js';
import { transcriptionUsage } from '../formats/media/transcription.js';
import { encodeForm, formFiles } from '../formats/media/multipart.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { headerOf, pipeAnswer, readAnswerJson, sendAnswerText } from './media-answer.js';
import { readMediaForm, readMediaJson } from './media-body.js';
import { mediaHandler } from './media-endpoint.js';

/** POST /v1/audio/speech: JSON in, the upstream's audio streamed back as it comes; billed per 1000 characters of input. */
export function speechHandler(deps: PipelineDeps) {
  return mediaHandler<{ body: Record<string, unknown>; speech: SpeechRequest }>('audio_speech', deps, {
    async read(ctx) {
      const { json, model } = await readMediaJson(ctx);
      const speech = decodeSpeechRequest(json);
      return { model, request: { body: json, speech }, estimatedTokens: Math.ceil(speech.characters / 4) };
    },
    encode: ({ body }, model) => ({ bytes: JSON.stringify({ ...body, model: model.upstreamModel }), contentType: 'application/json' }),
    async answer(ctx, model, response, { speech }) {
      ctx.unitCostUsd = (speech.characters / 1000) * (model.unitPrices?.speech1kChars ?? 0);
      await pipeAnswer(ctx, model, response);
    },
  });
}

/**
 * POST /v1/audio/transcriptions (multipart: file, model, …): the form goes
 * upstream with the target's model name. JSON answers are read for their
 * duration and tokens (billed per second of audio, plus tokens); text, subtitle
 * and streamed answers are passed through as they come.
 */
export function transcriptionsHandler(deps: PipelineDeps) {
  return mediaHandler<FormData>('audio_transcriptions', deps, {
    async read(ctx) {
      const { form, model } = await readMediaForm(ctx);
      if (formFiles(form, 'file').length !== 1) throw invalidRequest('file: exactly one audio file is required', 'file');
      return { model, request: form, estimatedTokens: 0 };
    },
    encode: (form, model) => encodeForm(form, model.upstreamModel),
    async answer(ctx, model, response) {
      const type = headerOf(response, 'content-type') ?? '';
      if (!type.toLowerCase().includes('json')) {
        if (model.unitPrices?.audioSecond)
          (ctx.warnings ??= []).push('audio duration not reported by the upstream for this response_format: seconds not billed');
        return pipeAnswer(ctx, model, response);
      }
      const { text, json } = await readAnswerJson(ctx, model, response);
      const usage = transcriptionUsage(json);
      if (usage.inputTokens !== undefined || usage.outputTokens !== undefined)
        ctx.usage = { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
      ctx.unitCostUsd = (usage.seconds ?? 0) * (model.unitPrices?.audioSecond ?? 0);
      if (usage.seconds === undefined && model.unitPrices?.audioSecond)
        (ctx.warnings ??= []).push('audio duration not reported by the upstream: seconds not billed');
      sendAnswerText(ctx, text, type);
    },
  });
}
