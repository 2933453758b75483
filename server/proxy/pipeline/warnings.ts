import type { ProxyContext } from './context.js';

/** The response header listing what a translation could not carry. */
export const WARNINGS_HEADER = 'x-gateway-warnings';

/** Header values stay short and plain ASCII (no control characters), whatever a tool's name holds. */
const MAX_HEADER_CHARS = 2000;

export function warningsHeaderValue(warnings: readonly string[]): string {
  const text = warnings.map((w) => w.replace(/[^\x20-\x7e]/g, '?').replace(/;/g, ',')).join('; ');
  return text.length > MAX_HEADER_CHARS ? `${text.slice(0, MAX_HEADER_CHARS - 3)}...` : text;
}

/**
 * Keeps an attempt's warnings on the context (for the request log) and announces
 * them to the client in `x-gateway-warnings`, replacing any from an earlier
 * attempt against another target.
 */
export function noteWarnings(ctx: ProxyContext, warnings: readonly string[] | undefined): void {
  ctx.warnings = warnings?.length ? [...warnings] : undefined;
  if (ctx.res.headersSent) return;
  if (ctx.warnings) ctx.res.setHeader(WARNINGS_HEADER, warningsHeaderValue(ctx.warnings));
  else ctx.res.removeHeader(WARNINGS_HEADER);
}
