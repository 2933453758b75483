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
