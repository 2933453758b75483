// One turn against the gateway's own endpoint of the chosen client format, read event by event,
// keeping the request and the response exactly as they crossed the wire (for the raw view).
import { createParser } from 'eventsource-parser';
import { FORMATS, type ClientFormat, type ToolCall, type TurnInput, type TurnState, type Usage } from './formats';

/** The raw response shown is cut here: a long answer streams many small events. */
const RAW_LIMIT = 256 * 1024;

export interface RawExchange {
  method: string;
  path: string;
  /** The request body as sent (JSON text, pretty-printed). */
  request: string;
  status: number;
  contentType: string;
  /** The response body as received (server-sent events or a JSON error), cut at RAW_LIMIT. */
  response: string;
  truncated: boolean;
}

export interface TurnResult {
  status: number;
  /** Milliseconds from sending to the first answer text or tool call, as this browser saw it. */
  ttfbMs: number | null;
  latencyMs: number;
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | null;
  finishReason: string | null;
  /** The gateway's error message, when the request failed (in the format's own error shape). */
  error: string | null;
  raw: RawExchange;
}

export interface TurnRequest {
  format: ClientFormat;
  key: string;
  input: TurnInput;
  signal?: AbortSignal;
  ondelta: (text: string, state: TurnState) => void;
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    return (typeof body.error === 'string' ? body.error : body.error?.message) ?? body.message ?? text;
  } catch {
    return text; // Not JSON: show the text as it came.
  }
}

export async function sendTurn({ format, key, input, signal, ondelta }: TurnRequest): Promise<TurnResult> {
  const spec = FORMATS[format];
  const body = spec.body(input);
  const started = performance.now();
  const response = await fetch(spec.path, { method: 'POST', headers: spec.headers(key), body: JSON.stringify(body), signal });
  const raw: RawExchange = {
    method: 'POST',
    path: spec.path,
    request: JSON.stringify(body, null, 2),
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    response: '',
    truncated: false,
  };
  const keep = (chunk: string) => {
    if (raw.response.length >= RAW_LIMIT) return void (raw.truncated = true);
    raw.response += chunk.slice(0, RAW_LIMIT - raw.response.length);
  };
  const state: TurnState = { text: '', toolCalls: [], usage: null, finishReason: null, error: null };
  const finish = (ttfbMs: number | null): TurnResult => ({
    status: response.status,
    ttfbMs,
    latencyMs: Math.round(performance.now() - started),
    ...state,
    raw,
  });

  if (!response.ok || !response.body) {
    const text = await response.text();
    keep(text);
    state.error = errorMessage(text);
    return finish(null);
  }

  let ttfbMs: number | null = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const calls = state.toolCalls.length;
      const delta = spec.apply(state, event.event, JSON.parse(event.data));
      if (delta || state.toolCalls.length > calls) ttfbMs ??= Math.round(performance.now() - started);
      ondelta(delta, state);
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    keep(value);
    parser.feed(value);
  }
  return finish(ttfbMs);
}

/** The request for display: image data cut to its size, so a photo does not fill the screen. */
export function displayRequest(text: string): string {
  return text.replace(
    /"(data:[^;"]+;base64,)?([A-Za-z0-9+/=]{200,})"/g,
    (_m, prefix: string | undefined, data: string) => `"${prefix ?? ''}${data.slice(0, 32)}… (${data.length} chars)"`,
  );
}
