import type { GatewayErrorKind, GatewayErrorShape } from '../../../core/index.js';
import { isRecord } from '../../../core/guards.js';
import { errorKindOf, plainErrorMessage, type UpstreamErrorKind } from '../shared/errors.js';
import { sseEvent } from '../shared/sse.js';
import type { AnthropicErrorBody, AnthropicErrorType } from './types.js';

/**
 * Gateway error kind → Anthropic error type. A spent budget is `billing_error`
 * (Anthropic's type for account spend limits, so SDKs do not treat it as a transient
 * rate limit). Failures of the gateway's own upstream credentials are `api_error`:
 * the caller's key was fine and must not be blamed.
 */
const TYPE_BY_KIND: Record<GatewayErrorKind, AnthropicErrorType> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  budget_exceeded: 'billing_error',
  upstream_auth: 'api_error',
  upstream: 'api_error',
  timeout: 'timeout_error',
  overloaded: 'overloaded_error',
  internal: 'api_error',
};

export function anthropicErrorType(kind: GatewayErrorKind): AnthropicErrorType {
  return TYPE_BY_KIND[kind] ?? 'api_error';
}

export function encodeAnthropicError(error: GatewayErrorShape): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.kind), message: error.message } };
}

export function encodeAnthropicStreamError(error: GatewayErrorShape): string {
  return sseEvent('error', encodeAnthropicError(error));
}

/** Anthropic error type (from an upstream body or stream event) → gateway kind and status. */
const KIND_BY_TYPE: Readonly<Record<string, UpstreamErrorKind>> = {
  invalid_request_error: { kind: 'invalid_request', status: 400 },
  authentication_error: { kind: 'upstream_auth', status: 502 },
  permission_error: { kind: 'upstream_auth', status: 502 },
  not_found_error: { kind: 'not_found', status: 404 },
  request_too_large: { kind: 'request_too_large', status: 413 },
  rate_limit_error: { kind: 'rate_limit', status: 429 },
  overloaded_error: { kind: 'overloaded', status: 529 },
  timeout_error: { kind: 'timeout', status: 504 },
};

export function kindFromAnthropicType(type: unknown): UpstreamErrorKind {
  return errorKindOf(KIND_BY_TYPE, type);
}

/** Message from an Anthropic error body `{type:'error', error:{type, message}}`. */
export function decodeAnthropicErrorMessage(status: number, body: unknown): string {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    const type = typeof body.error.type === 'string' ? `${body.error.type}: ` : '';
    return `${type}${body.error.message}`;
  }
  return plainErrorMessage(status, body);
}
