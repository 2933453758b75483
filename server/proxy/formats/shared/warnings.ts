import type { CanonicalRequest } from '../../../core/index.js';
import type { UpstreamTarget } from '../format.js';

/** Records one thing an encoder could not carry (see UpstreamTarget.warnings). */
export function warn(target: UpstreamTarget, text: string): void {
  if (target.warnings && !target.warnings.includes(text)) target.warnings.push(text);
}

/** Client fields the canonical model did not keep: dropped for any wire format other than the client's own. */
export function warnUnmapped(request: CanonicalRequest, target: UpstreamTarget, skip: readonly string[] = []): void {
  for (const field of request.unmapped ?? []) if (!skip.includes(field)) warn(target, `field ${field} dropped`);
}

/** Warns `field <name> dropped` for each named request field that is set (in the order given). */
export function warnDropped(target: UpstreamTarget, fields: Readonly<Record<string, unknown>>): void {
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) warn(target, `field ${field} dropped`);
}

/** The request fields only OpenAI's APIs take, by their wire names (for warnDropped). */
export const openAIOnlyFields = (request: CanonicalRequest) => ({
  prompt_cache_key: request.promptCacheKey,
  verbosity: request.verbosity,
  service_tier: request.serviceTier,
  user: request.user,
});

/** Seed and repetition penalties, by their wire names (for warnDropped). */
export const seedAndPenalties = (request: CanonicalRequest) => ({
  seed: request.seed,
  presence_penalty: request.presencePenalty,
  frequency_penalty: request.frequencyPenalty,
});
