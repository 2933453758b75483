import { invalidRequest } from '../../../core/error.js';
import type { UnitPrices } from '../../../core/unit-prices.js';
import { optionalInteger, optionalString, requiredString } from './fields.js';

/** What the gateway reads of an image request (generation JSON or edit form); the rest goes upstream untouched. */
export interface ImageRequest {
  prompt: string;
  /** Images asked for (OpenAI's default is 1). */
  n: number;
  size?: string;
  quality?: string;
}

/** POST /v1/images/generations and /v1/images/edits fields, as OpenAI defines them. */
export function decodeImageRequest(body: Record<string, unknown>): ImageRequest {
  const prompt = requiredString(body, 'prompt');
  const n = optionalInteger(body, 'n', 1, 10) ?? 1;
  if (body.stream === true) throw invalidRequest('stream: streamed image generation is not offered through this gateway', 'stream');
  return { prompt, n, size: optionalString(body, 'size'), quality: optionalString(body, 'quality') };
}

/** The images an answer holds (`data`), which is what is billed: an upstream may return fewer than asked. */
export function imagesInAnswer(answer: unknown): number {
  const data = (answer as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data.length : 0;
}

/** USD per image for a request's quality and size: `quality/size`, then `size`, then the model's flat price. */
export function imagePrice(prices: UnitPrices | undefined, request: Pick<ImageRequest, 'size' | 'quality'>): number {
  if (!prices) return 0;
  const bySize = prices.imageBySize ?? {};
  const size = request.size ?? 'auto';
  const quality = request.quality ?? 'standard';
  return bySize[`${quality}/${size}`] ?? bySize[size] ?? prices.image ?? 0;
}
