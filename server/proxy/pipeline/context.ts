import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import type { Admission, KeyLimiter } from '../../limits/types.js';
import type { AttemptRecord, RequestRecord, RequestRecorder } from '../../core/request-record.js';
import type { FiredRule } from '../../prompts/types.js';
import type { Router } from '../../routing/router-state.js';
import type { KeyEntry, ModelEntry } from '../../snapshot/types.js';
import type { SnapshotStore } from '../../snapshot/store.js';
import type { GatewayError } from '../../core/error.js';
import type { ClientApi } from '../../core/wire.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { CanonicalResponse } from '../../core/response.js';
import type { Usage } from '../../core/usage.js';
import type { ClientFormat } from '../formats/format.js';
import type { SseMessage, StreamEvent } from '../../core/stream-event.js';
import type { Resolved } from './resolve-model.js';
import type { UpstreamRequest } from './upstream-request.js';
import type { LightAbort } from '../../http/light-abort.js';

/** The settings the proxy path reads. */
export type PipelineConfig = Pick<
  Config,
  | 'maxBodyBytes'
  | 'maxUploadBytes'
  | 'maxJsonDepth'
  | 'maxJsonElements'
  | 'requestBodyTimeoutMs'
  | 'maxUpstreamResponseBytes'
  | 'upstreamStreamTotalMs'
  | 'tokenizerMaxChars'
  | 'trustProxy'
>;

/** What the proxy path needs from the instance, and nothing more. */
export interface PipelineDeps {
  config: PipelineConfig;
  logger: Logger;
  snapshot: Pick<SnapshotStore, 'current'>;
  limits: Pick<KeyLimiter, 'admit'>;
  router: Router;
  recorder: Pick<RequestRecorder, 'record'>;
  /** In order; see plugin.ts. */
  plugins: readonly ProxyPlugin[];
}

/** State of one proxied request as it moves through the stages. */
export interface ProxyContext {
  /** The client API whose formats (errors included) the caller speaks. */
  api: ClientApi;
  /** The endpoint as recorded in logs and metrics. */
  endpoint: RequestRecord['clientApi'];
  client: ClientFormat;
  deps: PipelineDeps;
  req: IncomingMessage;
  res: ServerResponse;
  /** performance.now() at arrival. */
  startedAt: number;
  /** Aborted when the client goes away; cancels the upstream call. */
  abort: LightAbort;
  /** The plugins' hooks for this request (set once the caller is authenticated). */
  hooks: RequestHooks[];
  key?: KeyEntry;
  /** The client's JSON body as parsed (passthrough sends it on with only owned fields changed). */
  body?: Record<string, unknown>;
  /** The raw body bytes, sent as is when nothing needs changing. */
  rawBody?: Buffer;
  request?: CanonicalRequest;
  model?: ModelEntry;
  attempts: number;
  ttftMs?: number;
  usage?: Usage;
  /** The whole canonical answer the client received (kept for plugins' onComplete). */
  response?: CanonicalResponse;
  /** The non-stream response text sent to the client; kept only when the key logs bodies. */
  responseBody?: string;
  /** The key's limits let this request in; released once when it ends. */
  admission?: Admission;
  /** The end user the caller named and the request's tags (attribution.ts). */
  endUser?: string;
  tags?: string[];
  /** Prompt rules of the virtual model that changed this request (server/prompts). */
  rulesApplied?: FiredRule[];
  /** Tokens of instructions the gateway injected for a relay upstream. */
  injectedTokens?: number;
  /**
   * The client was handed the whole answer (a stream up to its final event, or the
   * whole body): the request succeeded even if a connection fails afterwards.
   */
  completed?: boolean;
  /** What the translation for the answering target could not carry (x-gateway-warnings, request log). */
  warnings?: string[];
  /** Set when a stream failed after the first byte (the client got an in-stream error). */
  streamError?: GatewayError;
  /** Guardrails that fired (server/guardrails): how many values each found, per stage; never the values. */
  guardrails?: Array<{ name: string; mode: string; stage: 'request' | 'response'; count: number }>;
  /** The response cache's part in this request (server/cache), for the log row and metrics. */
  cache?: CacheMark;
  /** Cost beyond tokens (images, audio seconds, speech characters, searches; core/unit-prices.ts), USD. */
  unitCostUsd?: number;
  /** Each upstream attempt so far (attempt-log.ts). */
  attemptLog?: AttemptRecord[];
  /** The last upstream request as sent, raw (made safe in the record, attempt-log.ts). */
  upstreamSent?: SentUpstream;
}

/** An upstream request as it left: URL, headers before the provider's credential step, body bytes. */
export interface SentUpstream {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What the response cache did with a request; `key` is the entry a hit came from or a miss was stored under. */
export interface CacheMark {
  status: 'hit' | 'miss' | 'bypass';
  key?: string;
  /** A hit: what the cached answer had cost upstream (USD). */
  savedUsd?: number;
  /** A miss whose answer was stored: the entry's size. */
  storedBytes?: number;
  /** A semantic hit: the cosine similarity of the served entry. */
  similarity?: number;
}

/** A generation request once it is authenticated, read and decoded: what plugins and the attempt loop work on. */
export interface GenerationContext extends ProxyContext {
  key: KeyEntry;
  body: Record<string, unknown>;
  rawBody: Buffer;
  request: CanonicalRequest;
  /** A plugin wants the whole canonical answer in onComplete even for a stream: it is assembled as the stream goes. */
  keepResponse?: boolean;
  /**
   * A plugin changed the canonical conversation (prompt rules, masking): a
   * same-format passthrough then re-encodes its conversation fields from it.
   */
  conversationRewritten?: boolean;
}

// ---- The plugin contract (re-exported for plugin authors by plugin.ts) ----

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
  /**
   * /v1/embeddings (which has no generation hooks): the texts to embed, after
   * the caller and model are known and before limits. Return replacements
   * (as many, in order) or nothing to keep them; throw a GatewayError to refuse.
   */
  embeddingInputs?(ctx: ProxyContext, texts: readonly string[]): readonly string[] | void | Promise<readonly string[] | void>;
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
  /**
   * A whole answer (not a stream to the client), after every onResponse and
   * before it is sent: an asynchronous check (a guardrail's moderation call)
   * that may refuse it by throwing a GatewayError, which the client gets instead.
   */
  beforeAnswer?(response: CanonicalResponse): Promise<void>;
  /**
   * This attempt is over: answered (no `failure`), or failed before the client got
   * a byte (another target may follow). For per-attempt bookkeeping such as trace spans.
   */
  onAttemptEnd?(failure?: GatewayError): void;
}

export interface CompletedRequest {
  failure?: GatewayError;
  /** The whole canonical answer the client received, when the request succeeded with one. */
  response?: CanonicalResponse;
}
