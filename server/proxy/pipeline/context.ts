import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config/env.js';
import type { Admission, KeyLimiter } from '../../limits/types.js';
import type { RequestRecord, RequestRecorder } from '../../observability/request-record.js';
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
import type { ProxyPlugin, RequestHooks } from './plugin.js';

/** The settings the proxy path reads. */
export type PipelineConfig = Pick<
  Config,
  | 'maxBodyBytes'
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
  abort: AbortController;
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
