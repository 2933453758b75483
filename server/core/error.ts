/**
 * Error kinds the gateway speaks. Each client format maps a kind to its own
 * error type and body; the HTTP status travels with the error.
 */
export type GatewayErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'budget_exceeded'
  | 'upstream_auth'
  | 'upstream'
  | 'timeout'
  | 'overloaded'
  | 'internal';

export interface GatewayErrorShape {
  status: number;
  kind: GatewayErrorKind;
  message: string;
  /** The offending request field, when there is one (OpenAI `param`). */
  param?: string;
  /** A machine-readable code (OpenAI `code`), e.g. `model_not_found`. */
  code?: string;
}

export class GatewayError extends Error implements GatewayErrorShape {
  readonly status: number;
  readonly kind: GatewayErrorKind;
  readonly param?: string;
  readonly code?: string;
  /** Seconds a client should wait, sent as `retry-after`. */
  readonly retryAfter?: number;
  /** Extra response headers (e.g. x-ratelimit-* on a refused admission). */
  readonly headers?: Record<string, string>;

  constructor(shape: GatewayErrorShape & { retryAfter?: number; headers?: Record<string, string> }) {
    super(shape.message);
    this.name = 'GatewayError';
    this.status = shape.status;
    this.kind = shape.kind;
    this.param = shape.param;
    this.code = shape.code;
    this.retryAfter = shape.retryAfter;
    this.headers = shape.headers;
  }

  toShape(): GatewayErrorShape {
    return { status: this.status, kind: this.kind, message: this.message, param: this.param, code: this.code };
  }
}

/** A client's request is wrong: 400 naming the field. */
export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError({ status: 400, kind: 'invalid_request', message, param });
}
