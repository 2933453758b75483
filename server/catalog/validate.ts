import { z } from 'zod';
import type { UnitPrices } from '../core/unit-prices.js';
import type { CatalogEntry, ParsedCatalog, SkippedEntry } from './types.js';

/**
 * Validation of a fetched catalog, after LiteLLM's own sanity rules: the file
 * must be one non-empty JSON object with at least MIN_ENTRIES usable entries,
 * and must not have shrunk below half of the last good copy. Single entries
 * are judged on their own: a bad one is skipped and counted, the rest is kept.
 */

export const MIN_ENTRIES = 50;
export const MAX_SHRINK_RATIO = 0.5;
/** Above this a "per token" price is a data error (per-million values typed into the per-token field). */
export const MAX_PLAUSIBLE_PRICE = 0.01;

export class CatalogRejectedError extends Error {
  override name = 'CatalogRejectedError';
}

/** Token limits: LiteLLM writes a few as floats (2000000.0); 0 means "not given". */
const tokenLimit = z
  .number()
  .nonnegative('must not be negative')
  .nullish()
  .transform((v) => (v ? Math.round(v) : undefined));
const price = z
  .number()
  .nonnegative('must not be negative')
  .max(MAX_PLAUSIBLE_PRICE, `is above ${MAX_PLAUSIBLE_PRICE} USD per token (implausible)`)
  .nullish()
  .transform((v) => v ?? undefined);
/** Prices per image, second, character, query or pixel: their own plausible range. */
const unitPrice = z
  .number()
  .nonnegative('must not be negative')
  .max(1000, 'is above 1000 USD per unit (implausible)')
  .nullish()
  .transform((v) => v ?? undefined);
const flag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? undefined);

const entrySchema = z.object({
  litellm_provider: z.string().min(1, 'is required'),
  mode: z.string().nullish(),
  max_input_tokens: tokenLimit,
  max_output_tokens: tokenLimit,
  max_tokens: tokenLimit,
  input_cost_per_token: price,
  output_cost_per_token: price,
  cache_read_input_token_cost: price,
  /** DeepSeek-style name of the cache-read price. */
  input_cost_per_token_cache_hit: price,
  cache_creation_input_token_cost: price,
  cost_per_image: unitPrice,
  input_cost_per_image: unitPrice,
  output_cost_per_image: unitPrice,
  input_cost_per_second: unitPrice,
  output_cost_per_second: unitPrice,
  input_cost_per_character: unitPrice,
  input_cost_per_query: unitPrice,
  input_cost_per_pixel: unitPrice,
  output_cost_per_pixel: unitPrice,
  supports_function_calling: flag,
  supports_vision: flag,
  supports_reasoning: flag,
});

/** The first key of the file documents the fields; it is not a model. */
const DOCUMENTATION_KEY = 'sample_spec';

function toEntry(key: string, e: z.infer<typeof entrySchema>): CatalogEntry {
  const entry: CatalogEntry = { key, provider: e.litellm_provider, mode: e.mode ?? '' };
  const contextWindow = e.max_input_tokens ?? e.max_tokens;
  const maxOutputTokens = e.max_output_tokens ?? e.max_tokens;
  if (contextWindow !== undefined) entry.contextWindow = contextWindow;
  if (maxOutputTokens !== undefined) entry.maxOutputTokens = maxOutputTokens;
  if (e.input_cost_per_token !== undefined) entry.inputPrice = e.input_cost_per_token;
  if (e.output_cost_per_token !== undefined) entry.outputPrice = e.output_cost_per_token;
  const cacheRead = e.cache_read_input_token_cost ?? e.input_cost_per_token_cache_hit;
  if (cacheRead !== undefined) entry.cacheReadPrice = cacheRead;
  if (e.cache_creation_input_token_cost !== undefined) entry.cacheWritePrice = e.cache_creation_input_token_cost;
  if (e.supports_function_calling !== undefined) entry.supportsTools = e.supports_function_calling;
  if (e.supports_vision !== undefined) entry.supportsVision = e.supports_vision;
  if (e.supports_reasoning !== undefined) entry.supportsReasoning = e.supports_reasoning;
  const unitPrices = unitPricesOf(e);
  if (unitPrices) entry.unitPrices = unitPrices;
  return entry;
}

/** LiteLLM's prices of the non-token endpoints as the model's unit prices (core/unit-prices.ts). */
function unitPricesOf(e: z.infer<typeof entrySchema>): UnitPrices | undefined {
  const out: UnitPrices = {};
  // On chat models these are prices of images in the prompt; only image-generation entries price generated images.
  const image = e.mode === 'image_generation' ? (e.cost_per_image ?? sum(e.input_cost_per_image, e.output_cost_per_image)) : undefined;
  if (image !== undefined) out.image = image;
  // Whisper is priced per second of output, newer transcription models per second of input.
  const second = e.mode === 'audio_transcription' ? sum(e.input_cost_per_second, e.output_cost_per_second) : undefined;
  if (second) out.audioSecond = second;
  if (e.input_cost_per_character !== undefined && e.mode === 'audio_speech') out.speech1kChars = Number((e.input_cost_per_character * 1000).toPrecision(12));
  if (e.input_cost_per_query !== undefined) out.search = e.input_cost_per_query;
  return Object.keys(out).length ? out : undefined;
}

const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));

/** `hd/1024-x-1792/dall-e-3`, `azure/standard/1024-x-1024/dall-e-3`: LiteLLM prices DALL·E per pixel, one entry per quality and size. */
const SIZE_SEGMENT = /^(\d+)-x-(\d+)$/;
const QUALITIES = new Set(['standard', 'hd', 'low', 'medium', 'high']);

/**
 * Sized, per-pixel entries become `imageBySize` prices (per image: pixels × price)
 * of their model's entry (`dall-e-3`, `azure/dall-e-3`), made when the catalog has none.
 */
function foldSizedPrices(raw: Record<string, unknown>, entries: CatalogEntry[]): void {
  const byKey = new Map(entries.map((e) => [e.key, e]));
  for (const [key, value] of Object.entries(raw)) {
    const segments = key.split('/');
    const at = segments.findIndex((s) => SIZE_SEGMENT.test(s));
    if (at < 0 || at !== segments.length - 2) continue;
    const before = segments.slice(0, at);
    const quality = before.length && QUALITIES.has(before.at(-1)!) ? before.pop() : undefined;
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) continue;
    const perPixel = sum(parsed.data.input_cost_per_pixel, parsed.data.output_cost_per_pixel);
    if (!perPixel) continue;
    const [, width, height] = SIZE_SEGMENT.exec(segments[at])!;
    const baseKey = [...before, segments[at + 1]].join('/');
    let model = byKey.get(baseKey);
    if (!model) {
      model = { key: baseKey, provider: parsed.data.litellm_provider, mode: parsed.data.mode ?? 'image_generation' };
      byKey.set(baseKey, model);
      entries.push(model);
    }
    const bySize = ((model.unitPrices ??= {}).imageBySize ??= {});
    bySize[quality ? `${quality}/${width}x${height}` : `${width}x${height}`] = Number((perPixel * Number(width) * Number(height)).toPrecision(3));
  }
}

/** Parses and validates catalog text. Throws CatalogRejectedError when the file as a whole is unusable. */
export function parseCatalog(text: string, previousEntryCount = 0): ParsedCatalog {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CatalogRejectedError(`not valid JSON (${(error as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CatalogRejectedError(`expected a JSON object of model entries, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`);
  }
  const entries: CatalogEntry[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === DOCUMENTATION_KEY) continue;
    const parsed = entrySchema.safeParse(value);
    if (parsed.success) {
      entries.push(toEntry(key, parsed.data));
    } else {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.');
      skipped.push({ key, reason: field ? `${field} ${issue.message}` : issue.message });
    }
  }
  foldSizedPrices(raw as Record<string, unknown>, entries);
  if (entries.length < MIN_ENTRIES) {
    throw new CatalogRejectedError(`only ${entries.length} usable entries (at least ${MIN_ENTRIES} expected; ${skipped.length} skipped)`);
  }
  if (previousEntryCount > 0 && entries.length < previousEntryCount * MAX_SHRINK_RATIO) {
    throw new CatalogRejectedError(
      `shrank from ${previousEntryCount} to ${entries.length} entries (more than ${Math.round((1 - MAX_SHRINK_RATIO) * 100)} % fewer)`,
    );
  }
  return { entries, skipped };
}
