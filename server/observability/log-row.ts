import type { RequestLog } from '../db/generated/sqlite/index.js';
import type { RequestRecord } from './request-record.js';

/**
 * One request log row as written by the batch writer and as streamed to the
 * `requestLogged` subscription (same object: the id is made here, so a live
 * event and the stored row agree). `rulesApplied` is set only when a prompt rule fired.
 */
export type RequestLogRow = Omit<RequestLog, 'rulesApplied'> & { rulesApplied?: Array<{ id: string; kind: string }> };

// Ids: time (base 36) + a per-process counter + a random instance tag. Unique
// across instances, roughly time-ordered, and cheap (no crypto per request).
const instanceTag = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
let sequence = 0;

export function newLogId(now: number = Date.now()): string {
  sequence = (sequence + 1) % 1_679_616; // 36^4
  return `l${now.toString(36)}${sequence.toString(36).padStart(4, '0')}${instanceTag}`;
}

/** Maps a finished request to its log row: field copies only, no serialisation. */
export function toLogRow(r: RequestRecord): RequestLogRow {
  const u = r.usage;
  return {
    id: newLogId(r.at.getTime()),
    createdAt: r.at,
    virtualKeyId: r.keyId ?? null,
    keyName: r.keyName ?? null,
    keyPrefix: r.keyPrefix ?? null,
    clientApi: r.clientApi,
    requestedModel: r.requestedModel ?? null,
    modelId: r.modelId ?? null,
    targetModel: r.targetModel ?? null,
    providerId: r.providerId ?? null,
    providerName: r.providerName ?? null,
    attempts: r.attempts,
    stream: r.stream,
    status: r.status,
    errorClass: r.errorClass ?? null,
    errorMessage: r.errorMessage ?? null,
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs ?? null,
    inputTokens: u?.inputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    cachedTokens: u?.cachedInputTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    injectedTokens: r.injectedTokens ?? 0,
    ...(r.rulesApplied?.length ? { rulesApplied: r.rulesApplied } : {}),
    costUsd: Number.isFinite(r.costUsd) ? r.costUsd : 0,
    clientIp: r.clientIp ?? null,
    userAgent: r.userAgent ?? null,
    requestBody: r.requestBody ?? null,
    responseBody: r.responseBody ?? null,
  };
}
