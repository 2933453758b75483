import type { GatewayError } from '../../core/error.js';
import type { CanonicalResponse } from '../../core/response.js';
import type { SseMessage, StreamEvent } from '../../core/stream-event.js';
import type { GenerationContext, ProxyContext } from './context.js';
import type { Resolved } from './resolve-model.js';
import type { UpstreamRequest } from './upstream-request.js';

/**
 * A feature that touches proxied requests (relay, prompt rules, request defaults,
 * the response store, caching, guardrails …) is a plugin: an object of hooks, in
 * the spirit of envelop/yoga plugins. Plugins run in the order the composition
 * root lists them; each hook sees what the plugins before it did.
 *
 * `request` is called once per proxied request, right after the caller is
 * authenticated, and returns that request's hooks (closures keep per-request
 * state), or nothing when the plugin has no part in it — so a plugin that is
 * off costs one call.
 */
export interface ProxyPlugin {
  readonly name: string;
  request(ctx: ProxyContext): RequestHooks | undefined;
}

/** A plugin's hooks for one request, in the order the pipeline calls them. */
export interface RequestHooks {
  /**
   * The client's JSON body before it is decoded: return a replacement to decode
   * instead (e.g. without a field the plugin resolves itself). The body that
   * goes upstream on a passthrough is still `ctx.body`.
   */
  onBody?(body: Record<string, unknown>, ctx: ProxyContext): Record<string, unknown> | void;
  /**
   * Decoded, authorized and resolved; before limits and routing. May change
   * `ctx.request`/`ctx.body`, refuse (throw a GatewayError: the caller gets it in
   * its own format, no upstream call), or return an answer that is served to the
   * client without any upstream call (e.g. a cache hit).
   */
  onResolved?(ctx: GenerationContext, resolved: Resolved): void | PluginAnswer | Promise<void | PluginAnswer>;
  /**
   * Each attempt, against each target: change the upstream request (body,
   * headers, stream or not), and return hooks for this attempt's answer.
   */
  onPrepareUpstream?(up: UpstreamRequest, ctx: GenerationContext): AnswerHooks | void;
  /**
   * The request has ended (answered, failed or abandoned), right before its
   * record is written. `response` is the whole canonical answer when there was
   * one (assembled from the stream for streams), for plugins that keep answers.
   */
  onComplete?(ctx: ProxyContext, outcome: CompletedRequest): void;
}

/** An answer a plugin serves itself, in the client's own format (as a stream when the client asked for one). */
export interface PluginAnswer {
  response: CanonicalResponse;
  /** Response headers to add (e.g. `x-gateway-cache: hit`). */
  headers?: Record<string, string>;
  /** Milliseconds between stream events, so a replayed stream is paced like a live one (0: as fast as possible). */
  streamIntervalMs?: number;
}

/**
 * Hooks on one attempt's answer. On a same-format passthrough the client gets
 * the upstream's own bytes: `onUpstreamMessage`/`onUpstreamBody` may change
 * them. Canonical hooks see every answer; the events or response they return
 * reach the client only when the answer is encoded by the gateway (translated,
 * or a passthrough a plugin marked with `up.translateAnswer`).
 */
export interface AnswerHooks {
  /** A same-format stream's upstream event before it is forwarded; `null` drops it. */
  onUpstreamMessage?(message: SseMessage): SseMessage | null;
  /** A same-format whole answer (the upstream's JSON text) before it is sent. */
  onUpstreamBody?(text: string): string;
  /** One canonical stream event, in order: return replacement events (or nothing to keep it). */
  onEvent?(event: StreamEvent): StreamEvent[] | void;
  /** The canonical whole answer (not for streams): return a replacement (or nothing to keep it). */
  onResponse?(response: CanonicalResponse): CanonicalResponse | void;
}

export interface CompletedRequest {
  failure?: GatewayError;
  /** The whole canonical answer the client received, when the request succeeded with one. */
  response?: CanonicalResponse;
}
