import { isRecord } from '../../../core/guards.js';
import type { ImageRequest } from './images.js';

/** The aspect ratios Imagen generates; an OpenAI `size` maps to the nearest. */
const ASPECT_RATIOS: ReadonlyArray<[string, number]> = [
  ['1:1', 1],
  ['3:4', 3 / 4],
  ['4:3', 4 / 3],
  ['9:16', 9 / 16],
  ['16:9', 16 / 9],
];

function aspectRatioOf(size: string | undefined): string | undefined {
  const m = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (!m) return undefined;
  const ratio = Number(m[1]) / Number(m[2]);
  return ASPECT_RATIOS.reduce((best, candidate) => (Math.abs(candidate[1] - ratio) < Math.abs(best[1] - ratio) ? candidate : best))[0];
}

/**
 * An OpenAI image generation → Imagen's `:predict` body (Gemini API and Vertex AI):
 * one instance with the prompt; `n` is `sampleCount`, `size` the nearest aspect
 * ratio. Imagen has no quality or style setting; those are left out.
 */
export function encodeImagenRequest(image: ImageRequest): Record<string, unknown> {
  const aspectRatio = aspectRatioOf(image.size);
  return { instances: [{ prompt: image.prompt }], parameters: { sampleCount: image.n, ...(aspectRatio ? { aspectRatio } : {}) } };
}

/**
 * Imagen's answer (`predictions[]` of `{bytesBase64Encoded, mimeType}`) → OpenAI's
 * `{created, data: [{b64_json}]}`. Predictions without bytes (filtered by the
 * upstream's safety settings) are not images and are not counted.
 */
export function decodeImagenAnswer(answer: unknown): { created: number; data: Array<{ b64_json: string }> } {
  const predictions = isRecord(answer) && Array.isArray(answer.predictions) ? (answer.predictions as unknown[]) : [];
  const data = predictions.flatMap((p) => (isRecord(p) && typeof p.bytesBase64Encoded === 'string' ? [{ b64_json: p.bytesBase64Encoded }] : []));
  return { created: Math.floor(Date.now() / 1000), data };
}
