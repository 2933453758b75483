import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';

/** What a finished Responses answer said about itself. */
export interface CapturedResponse {
  id: string;
  output: unknown[];
}

/**
 * Watches what is written to a Responses client (a JSON body or the SSE
 * stream) and reports the response's id and output items once the answer is
 * complete: `response.completed` on a stream, the JSON body on `end`. It sees
 * the client's bytes whichever way the answer was produced (passthrough or
 * translated), so the ids are the ones the client was given. Reports happen
 * before the last bytes are handed on, so a follow-up cannot overtake the
 * store. A body beyond `maxBytes` is not captured.
 */
export function captureResponse(res: ServerResponse, maxBytes: number, onComplete: (captured: CapturedResponse) => void): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let json = '';
  let size = 0;
  let done = false;
  let sse: ReturnType<typeof createParser> | undefined;
  let streaming: boolean | undefined;

  const report = (response: unknown) => {
    if (done || res.statusCode !== 200) return;
    const r = response as { id?: unknown; output?: unknown; status?: unknown } | null;
    if (typeof r?.id !== 'string' || !Array.isArray(r.output) || (r.status !== undefined && r.status !== 'completed')) return;
    done = true;
    onComplete({ id: r.id, output: r.output });
  };

  const observe = (chunk: unknown) => {
    if (done || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
    size += text.length;
    if (size > maxBytes) {
      done = true;
      return;
    }
    // Headers given to writeHead are not readable back, so tell the kinds apart by the first byte: a JSON body opens with `{`.
    streaming ??= /^\s*[^\s{]/.test(text) ? true : /^\s*\{/.test(text) ? false : undefined;
    if (streaming === false) {
      json += text;
      return;
    }
    if (streaming === undefined) return;
    sse ??= createParser({
      onEvent: (event) => {
        if (!event.data.includes('"response.completed"')) return;
        try {
          const parsed = JSON.parse(event.data) as { type?: string; response?: unknown };
          if (parsed.type === 'response.completed') report(parsed.response);
        } catch {
          /* not ours to judge */
        }
      },
    });
    sse.feed(text);
  };

  res.write = ((...args: unknown[]) => {
    observe(args[0]);
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    observe(args[0]);
    if (!done && json) {
      try {
        report(JSON.parse(json));
      } catch {
        /* a body that is not JSON has nothing to store */
      }
    }
    json = '';
    return end(...args);
  }) as ServerResponse['end'];
}
