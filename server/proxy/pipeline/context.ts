import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission } from '../../limits/types.js';
import type { RequestRecord } from '../../observability/request-record.js';
import type { Services } from '../../services.js';
import type { KeyEntry, ModelEntry } from '../../snapshot/types.js';
import type { ClientApi } from '../../core/wire.js';
import type { ClientFormat } from '../formats/format.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { Usage } from '../../core/usage.js';

/** State of one proxied request as it moves through the stages. */
export interface ProxyContext {
  /** The client API whose formats (errors included) the caller speaks. */
  api: ClientApi;
  /** The endpoint as recorded in logs and metrics. */
  endpoint: RequestRecord['clientApi'];
  client: ClientFormat;
  services: Services;
  req: IncomingMessage;
  res: ServerResponse;
  /** performance.now() at arrival. */
  startedAt: number;
  /** Aborted when the client goes away; cancels the upstream call. */
  abort: AbortController;
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
  /** The non-stream response text sent to the client; kept only when the key logs bodies. */
  responseBody?: string;
  /** The key's limits let this request in; released once when it ends. */
  admission?: Admission;
  /** Prompt rules of the virtual model that changed this request (server/prompts). */
  rulesApplied?: import('../../prompts/types.js').FiredRule[];
  /** Tokens of instructions the gateway injected for a relay upstream (server/relay). */
  injectedTokens?: number;
  /**
   * The client was handed the whole answer (a stream up to its final event, or the
   * whole body): the request succeeded even if a connection fails afterwards.
   */
  completed?: boolean;
  /** What the translation for the answering target could not carry (x-gateway-warnings, request log). */
  warnings?: string[];
  /** Set when a stream failed after the first byte (the client got an in-stream error). */
  streamError?: import('../../core/error.js').GatewayError;
}
