import { scrubText } from '../secrets/redactor.js';
import type { CheckOutcome, HealthErrorType } from '../core/health-run.js';
import type { TargetSpec } from './types.js';

const MESSAGE_MAX = 300;

/** Short, public-safe error text: secrets, URLs and host:port pairs removed. */
export function publicMessage(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  const clean = scrubText(text, secrets)
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi, '[url]')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '[host]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > MESSAGE_MAX ? `${clean.slice(0, MESSAGE_MAX - 1)}…` : clean;
}

class CheckFailure extends Error {
  constructor(
    readonly type: HealthErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** The `error.message` of a gateway error body, or the start of the body. */
function errorText(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    const message = typeof parsed.error === 'string' ? parsed.error : parsed.error?.message;
    if (typeof message === 'string' && message) return `HTTP ${status}: ${message}`;
  } catch {
    /* not JSON */
  }
  return `HTTP ${status}: ${body.slice(0, 200) || 'empty body'}`;
}

interface StreamResult {
  text: string;
  ttftMs: number | null;
}

/** Reads an OpenAI chat SSE stream: the first content delta gives TTFT; `[DONE]` ends it. */
async function readChatStream(body: ReadableStream<Uint8Array>, startedAt: number, now: () => number): Promise<StreamResult> {
  const decoder = new TextDecoder();
  let buffer = '';
  let text = '';
  let ttftMs: number | null = null;
  let done = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      let event: { choices?: Array<{ delta?: { content?: unknown } }>; error?: { message?: string } };
      try {
        event = JSON.parse(data) as typeof event;
      } catch {
        throw new CheckFailure('invalid_response', 'The stream carried a chunk that is not JSON');
      }
      if (event.error) throw new CheckFailure('invalid_response', `Stream error: ${event.error.message ?? 'unknown'}`);
      const delta = event.choices?.[0]?.delta?.content;
      if (typeof delta === 'string' && delta.length > 0) {
        if (ttftMs === null) ttftMs = now() - startedAt;
        text += delta;
      }
    }
  }
  if (!done) throw new CheckFailure('invalid_response', 'The stream ended without [DONE]');
  return { text, ttftMs };
}

function classify(error: unknown, timedOut: boolean): CheckFailure {
  if (error instanceof CheckFailure) return error;
  if (timedOut) return new CheckFailure('timeout', 'No complete answer within the timeout');
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = cause?.message ?? (error as Error).message ?? String(error);
  return new CheckFailure('connection', cause?.code ? `${cause.code}: ${message}` : message);
}

export interface ProbeOptions {
  /** The gateway's own base URL, e.g. http://127.0.0.1:3000. */
  gatewayUrl: string;
  /** Plaintext monitoring key. */
  apiKey: string;
  now?: () => number;
}

/**
 * One attempt: a streamed chat completion through the gateway's own
 * `/v1/chat/completions`, so routing, translation and limits all apply.
 */
async function attempt(target: TargetSpec, options: ProbeOptions): Promise<CheckOutcome> {
  const now = options.now ?? Date.now;
  const { timeoutMs, maxTokens, expect } = target.checkConfig;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const startedAt = now();
  try {
    const res = await fetch(`${options.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', 'user-agent': 'gateway-health-check' },
      body: JSON.stringify({
        model: target.modelName,
        messages: [{ role: 'user', content: target.checkPrompt }],
        max_tokens: maxTokens,
        stream: true,
      }),
      signal: controller.signal,
    });
    if (!res.ok) {
      const body = await res.text();
      throw new CheckFailure(res.status >= 500 ? 'http_5xx' : 'http_4xx', errorText(res.status, body));
    }
    if (!res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      throw new CheckFailure('invalid_response', `Expected an event stream, got ${res.headers.get('content-type') ?? 'no content type'}`);
    }
    const { text, ttftMs } = await readChatStream(res.body, startedAt, now);
    const latencyMs = now() - startedAt;
    if (!text.trim()) throw new CheckFailure('invalid_response', 'The answer was empty');
    if (expect && !text.toLowerCase().includes(expect.toLowerCase())) {
      throw new CheckFailure('expectation_failed', `The answer does not contain "${expect}": ${text.slice(0, 120)}`);
    }
    return { status: 'success', latencyMs, ttftMs, errorType: null, errorMessage: null };
  } catch (error) {
    const failure = classify(error, timedOut);
    return {
      status: 'failure',
      latencyMs: now() - startedAt,
      ttftMs: null,
      errorType: failure.type,
      errorMessage: publicMessage(failure.message, [options.apiKey]),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a check with the target's retries; the last attempt's outcome counts. */
export async function probe(target: TargetSpec, options: ProbeOptions): Promise<CheckOutcome> {
  let outcome = await attempt(target, options);
  for (let i = 0; i < target.checkConfig.retries && outcome.status === 'failure'; i++) {
    outcome = await attempt(target, options);
  }
  return outcome;
}
