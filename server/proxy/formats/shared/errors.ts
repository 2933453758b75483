import type { GatewayErrorKind, StreamEvent } from '../../../core/index.js';
import { scrubText } from '../../../secrets/redactor.js';

/** An error body without the format's message field: its text (the first 500 characters) or the bare status. */
export function plainErrorMessage(status: number, body: unknown): string {
  if (typeof body === 'string' && body.trim() !== '') return `HTTP ${status}: ${body.slice(0, 500)}`;
  return `Upstream returned HTTP ${status}`;
}

/**
 * The text of an error a stream reports. Upstream text may echo a credential and
 * it leaves through the client and the log, so it is scrubbed.
 */
export function streamErrorText(message: unknown): string {
  return typeof message === 'string' ? scrubText(message) : 'Upstream stream error';
}

/** The error a stream that ended before any of the answer came ends with. */
export const NO_RESPONSE: StreamEvent = { type: 'error', error: { status: 502, kind: 'upstream', message: 'Upstream closed the stream without a response' } };

/** How the gateway reports an upstream error of one type. */
export interface UpstreamErrorKind {
  kind: GatewayErrorKind;
  status: number;
}

/** An upstream error type looked up in `table` (by its own keys only); an unknown one is a plain upstream failure (502). */
export function errorKindOf(table: Readonly<Record<string, UpstreamErrorKind>>, type: unknown): UpstreamErrorKind {
  const found = typeof type === 'string' && Object.hasOwn(table, type) ? table[type] : undefined;
  return found ? { ...found } : { kind: 'upstream', status: 502 };
}
