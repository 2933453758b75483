/**
 * One request log row as written by the batch writer and as streamed to the
 * `requestLogged` subscription (same object: the id is made when the row is,
 * so a live event and the stored row agree). Mirrors Prisma's `RequestLog`
 * (observability/log-row.ts fails to compile when the two drift apart);
 * `rulesApplied` is null unless a prompt rule fired.
 */
export interface RequestLogRow {
  id: string;
  createdAt: Date;
  virtualKeyId: string | null;
  keyName: string | null;
  keyPrefix: string | null;
  clientApi: string;
  requestedModel: string | null;
  modelId: string | null;
  targetModel: string | null;
  providerId: string | null;
  providerName: string | null;
  attempts: number;
  stream: boolean;
  status: number;
  errorClass: string | null;
  errorMessage: string | null;
  latencyMs: number;
  ttftMs: number | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Prompt tokens written to the provider's prompt cache, a subset of inputTokens. */
  cacheWriteTokens: number;
  reasoningTokens: number;
  injectedTokens: number;
  costUsd: number;
  clientIp: string | null;
  userAgent: string | null;
  rulesApplied: Array<{ id: string; kind: string }> | null;
  requestBody: string | null;
  responseBody: string | null;
  warnings: string | null;
  /** Guardrails that fired: `name:mode:count`, `; `-separated (never the values). */
  guardrails: string | null;
  /** Response cache: hit | miss | bypass (null: caching was off for the request). */
  cache: string | null;
  /** The cache entry a hit came from, or the one a miss was stored under. */
  cacheKey: string | null;
  /** What a hit would have cost upstream (USD). */
  costSavedUsd: number;
  /** The key's team at request time. */
  teamId: string | null;
  /** The end user the caller named. */
  endUser: string | null;
  /** Tags of the request, JSON text of a string array. */
  tags: string | null;
  /** Each upstream attempt, JSON text of `AttemptRecord[]` (request-record.ts). */
  attemptLog: string | null;
  /** The last upstream request as sent, JSON text of `SentUpstreamRecord` (request-record.ts). */
  upstreamRequest: string | null;
}
