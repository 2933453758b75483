import type { Dispatcher } from 'undici';
import { invalidRequest } from '../../core/error.js';
import type { ModelEntry } from '../../snapshot/types.js';
import { decodeImageRequest, imagePrice, imagesInAnswer, type ImageRequest } from '../formats/media/images.js';
import { decodeImagenAnswer, encodeImagenRequest } from '../formats/media/imagen.js';
import { wireOf } from '../providers/endpoints.js';
import { encodeForm, formFields, formFiles } from '../formats/media/multipart.js';
import type { PipelineDeps, ProxyContext } from '../pipeline/context.js';
import { readAnswerJson, sendAnswerText } from './media-answer.js';
import { readMediaForm, readMediaJson } from './media-body.js';
import { mediaHandler } from './media-endpoint.js';

/** POST /v1/images/generations (JSON, OpenAI's shape): the body goes upstream with the target's model name. */
export function imageGenerationsHandler(deps: PipelineDeps) {
  return mediaHandler<{ body: Record<string, unknown>; image: ImageRequest }>('image_generations', deps, {
    async read(ctx) {
      const { json, model } = await readMediaJson(ctx);
      return { model, request: { body: json, image: decodeImageRequest(json) }, estimatedTokens: Math.ceil(ctx.rawBody!.length / 4) };
    },
    // Gemini and Vertex AI serve Imagen through :predict in its own shape; the client still gets OpenAI's.
    encode: ({ body, image }, model) => ({
      bytes: JSON.stringify(wireOf(model.provider) === 'gemini' ? encodeImagenRequest(image) : { ...body, model: model.upstreamModel }),
      contentType: 'application/json',
    }),
    answer: (ctx, model, response, { image }) => answerImages(ctx, model, response, image),
  });
}

/** POST /v1/images/edits (multipart: image or image[], optional mask, prompt, …): the form goes upstream with the target's model name. */
export function imageEditsHandler(deps: PipelineDeps) {
  return mediaHandler<{ form: FormData; image: ImageRequest }>('image_edits', deps, {
    async read(ctx) {
      const { form, model } = await readMediaForm(ctx);
      const image = decodeImageRequest(formFields(form));
      if (!formFiles(form, 'image', 'image[]').length) throw invalidRequest('image: at least one image file is required', 'image');
      return { model, request: { form, image }, estimatedTokens: Math.ceil(image.prompt.length / 4) };
    },
    encode: ({ form }, model) => encodeForm(form, model.upstreamModel),
    answer: (ctx, model, response, { image }) => answerImages(ctx, model, response, image),
  });
}

/** The upstream's answer as it is; billed per image returned (by quality and size), plus tokens where reported (gpt-image-1). */
async function answerImages(ctx: ProxyContext, model: ModelEntry, response: Dispatcher.ResponseData, image: ImageRequest): Promise<void> {
  const read = await readAnswerJson(ctx, model, response);
  const imagen = wireOf(model.provider) === 'gemini';
  const json = imagen ? decodeImagenAnswer(read.json) : read.json;
  const text = imagen ? JSON.stringify(json) : read.text;
  const usage = (json as { usage?: { input_tokens?: unknown; output_tokens?: unknown } }).usage;
  const input = typeof usage?.input_tokens === 'number' ? usage.input_tokens : 0;
  const output = typeof usage?.output_tokens === 'number' ? usage.output_tokens : 0;
  if (input || output) ctx.usage = { inputTokens: input, outputTokens: output };
  ctx.unitCostUsd = imagesInAnswer(json) * imagePrice(model.unitPrices, image);
  sendAnswerText(ctx, text);
}
