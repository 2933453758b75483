import { performance } from 'node:perf_hooks';
import type { GatewayError } from '../../core/error.js';
import type { SentUpstreamRecord } from '../../core/request-record.js';
import { maskSecret } from '../../crypto/secret-box.js';
import { captureBody } from '../../secrets/body-capture.js';
import { scrubOptional, scrubText } from '../../secrets/redactor.js';
import type { ModelEntry } from '../../snapshot/types.js';
import type { ProxyContext, SentUpstream } from './context.js';

/**
 * Notes one upstream attempt on the request (target, how it ended, how long it
 * took) for the log row. In memory only; the batched log writer stores it.
 */
export function noteAttempt(ctx: ProxyContext, model: ModelEntry, startedAt: number, failure?: GatewayError): void {
  const status = failure?.status ?? ctx.streamError?.status ?? 200;
  const error = failure?.message ?? ctx.streamError?.message;
  (ctx.attemptLog ??= []).push({
    modelId: model.id,
    model: model.upstreamModel,
    providerId: model.provider.id,
    provider: model.provider.name,
    status,
    ...((failure ?? ctx.streamError) && { errorClass: (failure ?? ctx.streamError)!.kind }),
    ...(error !== undefined && { error: scrubOptional(error, [model.provider.apiKey]) }),
    latencyMs: Math.round(performance.now() - startedAt),
  });
}

/** Runs one attempt and notes how it ended (a single model's only attempt). */
export async function loggedAttempt(
  ctx: ProxyContext,
  model: ModelEntry,
  run: () => Promise<void>,
  asFailure: (error: unknown) => GatewayError,
): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    noteAttempt(ctx, model, started, asFailure(error));
    throw error;
  }
  noteAttempt(ctx, model, started);
}

/** Headers whose values say nothing secret; every other value is masked (credentials, provider-set headers). */
const PLAIN_HEADERS = new Set(['content-type', 'accept', 'user-agent', 'anthropic-version', 'anthropic-beta', 'openai-beta', 'x-goog-api-client']);

/** Query parameters that may carry a credential (`?key=` of Gemini, signed URLs). */
const SECRET_PARAM = /key|token|secret|sig|auth|pass|credential/i;

/**
 * The upstream request made safe to store: no user info in the URL, credential-like
 * query values and non-plain header values masked, everything scrubbed of the
 * configured secrets; the body only when `withBody` (the key logs bodies).
 */
export function safeSentRequest(sent: SentUpstream, secrets: ReadonlyArray<string | undefined>, withBody: boolean): SentUpstreamRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent.headers)) {
    const lower = name.toLowerCase();
    headers[lower] = PLAIN_HEADERS.has(lower) ? scrubText(value, secrets) : maskSecret(value);
  }
  return { method: 'POST', url: scrubText(safeUrl(sent.url), secrets), headers, ...(withBody && { body: captureBody(sent.body, secrets) }) };
}

function safeUrl(raw: string): string {
  // No user info and no query: nothing to mask (the common case; spares a URL parse per request).
  if (!raw.includes('@') && !raw.includes('?')) return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[unparseable URL]';
  }
  url.username = '';
  url.password = '';
  for (const [name, value] of [...url.searchParams]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, maskSecret(value));
  }
  return url.toString();
}
