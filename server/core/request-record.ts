import type { ClientApi } from './wire.js';
import type { Usage } from './usage.js';
import type { MediaEndpoint } from './media-endpoint.js';

/** What the proxy knows about one finished request; consumers (log writer, metrics, limits) subscribe. */
export interface RequestRecord {
  at: Date;
  clientApi: ClientApi | 'embeddings' | 'count_tokens' | MediaEndpoint;
  keyId?: string;
  keyName?: string;
  keyPrefix?: string;
  requestedModel?: string;
  modelId?: string;
  targetModel?: string;
  providerId?: string;
  providerName?: string;
  attempts: number;
  stream: boolean;
  status: number;
  errorClass?: string;
  errorMessage?: string;
  latencyMs: number;
  ttftMs?: number;
  usage?: Usage;
  costUsd: number;
  clientIp?: string;
  userAgent?: string;
  /** Prompt rules of the virtual model that changed the request, in the order they ran. */
  rulesApplied?: Array<{ id: string; kind: string }>;
  /** Tokens of instructions the gateway injected for a relay upstream (o200k count). */
  injectedTokens?: number;
  /** What a translation could not carry to the upstream (tools, fields dropped), `; `-separated. */
  warnings?: string;
  /** Guardrails that fired (server/guardrails), with how many values each found per stage; never the values. */
  guardrails?: Array<{ name: string; mode: string; stage: string; count: number }>;
  /** Only when the key has body logging on: scrubbed and size-capped (see secrets/body-capture.ts). */
  requestBody?: string;
  responseBody?: string;
  /** Response cache outcome, when caching applied to the request. */
  cache?: 'hit' | 'miss' | 'bypass';
  cacheKey?: string;
  /** What a cache hit would have cost upstream (USD). */
  costSavedUsd?: number;
  /** Bytes of the answer the response cache stored (a miss), for the bytes-stored counter. */
  cacheStoredBytes?: number;
  /** The key's team at request time. */
  teamId?: string;
  /** The end user the caller named (OpenAI `user`, Anthropic `metadata.user_id`, `x-gateway-end-user`). */
  endUser?: string;
  /** Tags of the request (`x-gateway-tags`, `metadata.tags`). */
  tags?: string[];
  /** Each upstream attempt, in order (errors scrubbed). */
  attemptLog?: AttemptRecord[];
  /** The last upstream request as sent: secrets masked, the body only when the key logs bodies. */
  upstreamRequest?: SentUpstreamRecord;
}

/** One upstream attempt of a request: which target, how it ended, how long it took. */
export interface AttemptRecord {
  modelId: string;
  /** The upstream model id sent to the provider. */
  model: string;
  providerId: string;
  provider: string;
  /** The upstream's HTTP status, or the status the gateway mapped the failure to (504 timeout, 502 transport). */
  status: number;
  errorClass?: string;
  error?: string;
  latencyMs: number;
}

/** The upstream request as it left the gateway, made safe to store. */
export interface SentUpstreamRecord {
  method: 'POST';
  /** Without user info; query values that look like credentials masked. */
  url: string;
  /** Credential and provider-set header values masked (`sk-…a1b2`). */
  headers: Record<string, string>;
  /** Scrubbed and size-capped; only when the key logs bodies. */
  body?: string;
}

/** Where the pipeline hands each finished request; the composition root decides who listens. */
export interface RequestRecorder {
  record(record: RequestRecord): void;
}
