// One chat turn against the gateway's own /v1/chat/completions, read chunk by chunk.
import { createParser } from 'eventsource-parser';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatTurnResult {
  status: number;
  /** Milliseconds from sending to the first answer chunk, as this browser saw it. */
  ttfbMs: number | null;
  latencyMs: number;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  finishReason: string | null;
  /** The gateway's error message (OpenAI error object), when the request failed. */
  error: string | null;
}

export interface ChatTurnRequest {
  key: string;
  model: string;
  messages: ChatMessage[];
  params: Record<string, number>;
  signal?: AbortSignal;
  ondelta: (text: string) => void;
}

export async function streamChatTurn({ key, model, messages, params, signal, ondelta }: ChatTurnRequest): Promise<ChatTurnResult> {
  const started = performance.now();
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, // i18n-ignore
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true }, ...params }),
    signal,
  });
  if (!response.ok || !response.body) {
    const text = await response.text();
    let error = text;
    try {
      error = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // Not JSON: show the text as it came.
    }
    return { status: response.status, ttfbMs: null, latencyMs: Math.round(performance.now() - started), usage: null, finishReason: null, error };
  }

  let ttfbMs: number | null = null;
  let usage: ChatTurnResult['usage'] = null;
  let finishReason: string | null = null;
  let error: string | null = null;
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data) as {
        choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
        usage?: ChatTurnResult['usage'];
        error?: { message?: string };
      };
      if (chunk.error) error = chunk.error.message ?? 'error';
      const choice = chunk.choices?.[0];
      const text = choice?.delta?.content;
      if (text) {
        ttfbMs ??= Math.round(performance.now() - started);
        ondelta(text);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  return { status: response.status, ttfbMs, latencyMs: Math.round(performance.now() - started), usage, finishReason, error };
}
