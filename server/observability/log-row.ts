import type { RequestLogRow } from '../core/request-log-row.js';
import type { RequestRecord } from '../core/request-record.js';
import type { RequestLog } from '../db/generated/sqlite/index.js';

// The row type lives in core (the event bus carries it); it must stay Prisma's row, so a schema change fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rowMatchesSchema: Same<Omit<RequestLogRow, 'rulesApplied'>, Omit<RequestLog, 'rulesApplied'>> = true;
void rowMatchesSchema;

// Ids: time (base 36) + a per-process counter + a random instance tag. Unique
// across instances, roughly time-ordered, and cheap (no crypto per request).
const instanceTag = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
let sequence = 0;

export function newLogId(now: number = Date.now()): string {
  sequence = (sequence + 1) % 1_679_616; // 36^4
  return `l${now.toString(36)}${sequence.toString(36).padStart(4, '0')}${instanceTag}`;
}

/** Longest stored text per kind of field (UTF-16 units); bodies are capped before (body-capture.ts). */
export const STORED_TEXT_LIMITS = { name: 512, userAgent: 1_024, errorMessage: 8_192, body: 1_048_576 } as const;

const wellFormed = String.prototype as unknown as { isWellFormed(this: string): boolean; toWellFormed(this: string): string };

/**
 * Text any database accepts, whatever a client sent: lone surrogates become
 * U+FFFD (they break the query encoder and are invalid UTF-8), NUL becomes
 * U+FFFD (PostgreSQL text cannot hold it), and over-long values are cut with a
 * marker. The checks are native scans, so well-behaved text costs little.
 */
export function storableText(value: string | null | undefined, limit: number): string | null {
  if (value == null) return null;
  let text = wellFormed.isWellFormed.call(value) ? value : wellFormed.toWellFormed.call(value);
  if (text.includes('\0')) text = text.replaceAll('\0', '\uFFFD');
  if (text.length > limit) {
    // Cut on a code point boundary (a high surrogate left at the end would be lone again).
    let end = limit;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    text = `${text.slice(0, end)}…[truncated ${value.length - end} chars]`;
  }
  return text;
}

const name = (v: string | null | undefined) => storableText(v, STORED_TEXT_LIMITS.name);

/** `name:mode:count` per guardrail that fired (both stages added up), `; `-separated. */
function guardrailsText(hits: NonNullable<RequestRecord['guardrails']>): string {
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(`${h.name}:${h.mode}`, (counts.get(`${h.name}:${h.mode}`) ?? 0) + h.count);
  return [...counts].map(([g, n]) => `${g}:${n}`).join('; ');
}

/** Maps a finished request to its log row: field copies (the attempts and the request as sent as JSON text); text made storable. */
export function toLogRow(r: RequestRecord): RequestLogRow {
  const u = r.usage;
  return {
    id: newLogId(r.at.getTime()),
    createdAt: r.at,
    virtualKeyId: r.keyId ?? null,
    keyName: name(r.keyName),
    keyPrefix: name(r.keyPrefix),
    clientApi: r.clientApi,
    requestedModel: name(r.requestedModel),
    modelId: r.modelId ?? null,
    targetModel: name(r.targetModel),
    providerId: r.providerId ?? null,
    providerName: name(r.providerName),
    attempts: r.attempts,
    stream: r.stream,
    status: r.status,
    errorClass: name(r.errorClass),
    errorMessage: storableText(r.errorMessage, STORED_TEXT_LIMITS.errorMessage),
    latencyMs: r.latencyMs,
    ttftMs: r.ttftMs ?? null,
    inputTokens: u?.inputTokens ?? 0,
    outputTokens: u?.outputTokens ?? 0,
    cachedTokens: u?.cachedInputTokens ?? 0,
    cacheWriteTokens: u?.cacheWriteTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    injectedTokens: r.injectedTokens ?? 0,
    costUsd: Number.isFinite(r.costUsd) ? r.costUsd : 0,
    clientIp: name(r.clientIp),
    userAgent: storableText(r.userAgent, STORED_TEXT_LIMITS.userAgent),
    // Always present (null when no rule fired): a literal with a conditional spread is built
    // property by property, several times slower than one of a fixed shape.
    rulesApplied: r.rulesApplied?.length ? r.rulesApplied : null,
    requestBody: storableText(r.requestBody, STORED_TEXT_LIMITS.body),
    responseBody: storableText(r.responseBody, STORED_TEXT_LIMITS.body),
    warnings: storableText(r.warnings, STORED_TEXT_LIMITS.errorMessage),
    guardrails: r.guardrails?.length ? storableText(guardrailsText(r.guardrails), STORED_TEXT_LIMITS.errorMessage) : null,
    cache: r.cache ?? null,
    cacheKey: r.cacheKey ?? null,
    costSavedUsd: Number.isFinite(r.costSavedUsd) ? (r.costSavedUsd as number) : 0,
    teamId: r.teamId ?? null,
    endUser: name(r.endUser),
    tags: r.tags?.length ? JSON.stringify(r.tags) : null,
    attemptLog: r.attemptLog?.length ? JSON.stringify(r.attemptLog) : null,
    upstreamRequest: r.upstreamRequest ? sentRequestText(r.upstreamRequest) : null,
  };
}

/** JSON text of the request as sent (JSON.stringify escapes lone surrogates and NUL); too long, it is kept without its body. */
function sentRequestText(sent: NonNullable<RequestRecord['upstreamRequest']>): string {
  const text = JSON.stringify(sent);
  return text.length <= STORED_TEXT_LIMITS.body ? text : JSON.stringify({ ...sent, body: undefined });
}
