import type { GatewayErrorKind, GatewayErrorShape } from '../../../core/index.js';
import { scrubText } from '../../../secrets/redactor.js';
import { isRecord } from '../../../core/guards.js';

/**
 * OpenAI error bodies, shared by Chat Completions and Responses:
 * `{ error: { message, type, param, code } }`. Types follow OpenAI where it has
 * one; budget exhaustion is `insufficient_quota`, which the OpenAI SDKs and most
 * tools already recognise as "stop retrying".
 */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const TYPES: Record<GatewayErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  budget_exceeded: 'insufficient_quota',
  upstream_auth: 'server_error',
  upstream: 'server_error',
  timeout: 'timeout',
  overloaded: 'server_error',
  internal: 'server_error',
};

/** Codes OpenAI itself uses for these kinds, when the error carries none. */
const DEFAULT_CODES: Partial<Record<GatewayErrorKind, string>> = {
  authentication: 'invalid_api_key',
  rate_limit: 'rate_limit_exceeded',
  budget_exceeded: 'insufficient_quota',
  request_too_large: 'request_too_large',
  timeout: 'timeout',
};

export function openAIErrorType(kind: GatewayErrorKind): string {
  return TYPES[kind] ?? 'server_error';
}

export function encodeOpenAIError(error: GatewayErrorShape): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: openAIErrorType(error.kind),
      param: error.param ?? null,
      code: error.code ?? DEFAULT_CODES[error.kind] ?? null,
    },
  };
}

/** A readable message from an OpenAI-style error body (`{error:{message}}`, `{message}`, or text). */
export function decodeOpenAIErrorMessage(status: number, body: unknown): string {
  let message: string | undefined;
  if (typeof body === 'string') message = body.trim() || undefined;
  else if (isRecord(body)) {
    const inner = body.error;
    if (isRecord(inner) && typeof inner.message === 'string') message = inner.message;
    else if (typeof inner === 'string') message = inner;
    else if (typeof body.message === 'string') message = body.message;
    else if (typeof body.detail === 'string') message = body.detail;
  }
  // Upstreams sometimes echo a key back ("Incorrect API key provided: sk-abc…").
  return scrubText(message ?? `upstream returned HTTP ${status}`);
}
