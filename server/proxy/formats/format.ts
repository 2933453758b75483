import type { CanonicalRequest } from '../../core/request.js';
import type { CanonicalResponse } from '../../core/response.js';
import type { GatewayErrorShape } from '../../core/error.js';
import type { StreamDecoder, StreamEncoder } from '../../core/stream-event.js';
import type { ClientApi, UpstreamWire } from '../../core/wire.js';

/**
 * A client API the gateway accepts (ingress side of a wire format).
 * decodeRequest validates and throws GatewayError (400, naming the field) on bad input.
 */
export interface ClientFormat {
  readonly name: ClientApi;
  decodeRequest(body: unknown): CanonicalRequest;
  encodeResponse(response: CanonicalResponse, request: CanonicalRequest): unknown;
  createStreamEncoder(request: CanonicalRequest): StreamEncoder;
  /** The error body in this API's own shape (status travels separately). */
  encodeError(error: GatewayErrorShape): unknown;
  /**
   * The same error as an in-stream event, for failures after the first byte.
   * `at` says where the stream stands (its id, events already sent) for formats
   * whose events are numbered and name their response (Responses).
   */
  encodeStreamError(error: GatewayErrorShape, at?: StreamPosition): string;
}

/** Where a stream stands when an error is appended to it. */
export interface StreamPosition {
  id?: string;
  sequenceNumber?: number;
}

/** What an upstream format needs to know about the target beyond the request. */
export interface UpstreamTarget {
  upstreamModel: string;
  /**
   * Chat Completions quirk: the field that carries the output limit. Default `max_tokens`
   * (every OpenAI-compatible API accepts it); OpenAI's reasoning models need `max_completion_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** The target model's max output tokens, for wire formats that require a limit the client did not send (Anthropic). */
  maxOutputTokens?: number;
  /**
   * Where an encoder reports what it could not carry (a tool dropped, a field without
   * an equivalent). Short ASCII phrases; they reach the client in `x-gateway-warnings`
   * and the request log.
   */
  warnings?: string[];
}

/**
 * A provider wire format (egress side). The HTTP details (URL, auth headers) live
 * in the provider adapter; this only shapes bodies.
 */
export interface UpstreamFormat {
  readonly name: UpstreamWire;
  encodeRequest(request: CanonicalRequest, target: UpstreamTarget): Record<string, unknown>;
  decodeResponse(body: unknown): CanonicalResponse;
  createStreamDecoder(): StreamDecoder;
  /** Extracts a human-readable message from an upstream error body (never includes credentials). */
  decodeErrorMessage(status: number, body: unknown): string;
}
