import { GatewayError } from '../core/error.js';
import type { CanonicalRequest } from '../core/index.js';
import { UPSTREAM_FORMATS } from '../proxy/formats/registry.js';
import { upstreamHeaders, upstreamUrl, wireOf } from '../proxy/providers/endpoints.js';
import { sendUpstream } from '../proxy/upstream/http-client.js';
import type { ModerationSettings } from '../snapshot/guardrail-entry.js';
import type { ModelEntry } from '../snapshot/types.js';

export type ModerationVerdict = { flagged: boolean; categories: string[] };

export const DEFAULT_VERDICT_PROMPT =
  'You are a content moderator. Read the text the user sends and answer with exactly one word: ' +
  'FLAGGED if it asks for or contains harmful, abusive, illegal or unsafe content, SAFE otherwise.';

/** Most text sent to a moderation model; the rest is cut (moderation endpoints cap their input too). */
const MAX_MODERATION_CHARS = 32_000;

/**
 * Asks a moderation model configured in the gateway about one text:
 * `openai-moderation` POSTs `{ model, input }` to the provider's
 * `/moderations` (OpenAI's format: `results[].flagged`); `chat-verdict` asks
 * the model (any wire format) for SAFE or FLAGGED. Throws on a failure or when
 * `timeoutMs` passes; the caller applies the fail-open/fail-closed choice.
 */
export async function moderate(settings: ModerationSettings, model: ModelEntry, text: string, signal?: AbortSignal): Promise<ModerationVerdict> {
  const input = text.slice(0, MAX_MODERATION_CHARS);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const timeouts = { connectMs: settings.timeoutMs, firstByteMs: settings.timeoutMs, idleMs: settings.timeoutMs };
  const wire = wireOf(model.provider);
  let url: string;
  let body: Record<string, unknown>;
  if (settings.format === 'openai-moderation') {
    url = `${model.provider.baseUrl.replace(/\/+$/, '')}/moderations`;
    body = { model: model.upstreamModel, input };
  } else {
    const request: CanonicalRequest = {
      model: model.name,
      stream: false,
      maxTokens: 5,
      temperature: 0,
      messages: [
        { role: 'system', content: [{ type: 'text', text: settings.prompt ?? DEFAULT_VERDICT_PROMPT }] },
        { role: 'user', content: [{ type: 'text', text: input }] },
      ],
    };
    url = upstreamUrl(model, 'generate');
    body = UPSTREAM_FORMATS[wire].encodeRequest(request, { upstreamModel: model.upstreamModel, maxOutputTokens: model.maxOutputTokens });
  }
  const response = await sendUpstream({ url, headers: upstreamHeaders(model.provider), body: JSON.stringify(body), timeouts, signal: abort });
  const raw = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`the moderation model answered ${response.statusCode}`);
  const json: unknown = JSON.parse(raw);
  if (settings.format === 'openai-moderation') return moderationVerdict(json);
  const answer = UPSTREAM_FORMATS[wire].decodeResponse(json);
  const said = answer.content
    .map((p) => (p.type === 'text' ? p.text : ''))
    .join(' ')
    .toUpperCase();
  if (/\bFLAGGED\b/.test(said)) return { flagged: true, categories: [] };
  if (/\bSAFE\b/.test(said)) return { flagged: false, categories: [] };
  throw new Error('the moderation model gave no verdict');
}

/** OpenAI moderation answer → verdict (any result flagged; the categories that were). */
export function moderationVerdict(json: unknown): ModerationVerdict {
  const results = (json as { results?: unknown })?.results;
  if (!Array.isArray(results) || !results.length) throw new Error('the moderation answer has no results');
  const categories = new Set<string>();
  let flagged = false;
  for (const r of results as Array<{ flagged?: unknown; categories?: Record<string, unknown> }>) {
    if (r?.flagged === true) flagged = true;
    for (const [name, on] of Object.entries(r?.categories ?? {})) if (on === true) categories.add(name);
  }
  return { flagged, categories: [...categories] };
}

/** The text a moderation model is shown for a request: every message's text, in order. */
export function moderationText(request: CanonicalRequest): string {
  const out: string[] = [];
  for (const m of request.messages) {
    for (const p of m.content) {
      if (p.type === 'text') out.push(p.text);
      else if (p.type === 'tool_result') for (const c of p.content) if (c.type === 'text') out.push(c.text);
    }
  }
  return out.join('\n');
}

/** A moderation call failed under fail-closed: the request is refused, saying why. */
export function moderationUnavailable(name: string, error: unknown): GatewayError {
  const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? 'timed out' : 'failed';
  return new GatewayError({
    status: 503,
    kind: 'upstream',
    code: 'guardrail_unavailable',
    message: `Guardrail "${name}": the moderation check ${reason}, and the guardrail fails closed`,
  });
}
