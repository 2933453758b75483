/**
 * A fast upstream for the benchmark: OpenAI chat completions and Anthropic
 * messages, whole JSON or SSE. Answers are built once per shape and cached, so
 * the mock costs as little CPU as possible next to what it measures.
 *
 * Shape per request (header wins over query, defaults 20 chunks, 0 ms):
 *   x-mock-chunks / ?chunks=   number of text chunks in a stream
 *   x-mock-delay-ms / ?delay_ms=  pause before each chunk
 *
 * Run alone: `node --import tsx bench/serve.ts mock` prints `{"port":N}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Wire = 'openai' | 'anthropic';

const TOKEN = 'lorem ';
const USAGE_IN = 42;

function shapeOf(req: IncomingMessage): { chunks: number; delayMs: number } {
  const q = req.url?.indexOf('?') ?? -1;
  const query = q === -1 ? undefined : new URLSearchParams(req.url!.slice(q + 1));
  const pick = (header: string, param: string, fallback: number) => {
    const raw = req.headers[header] ?? query?.get(param);
    const n = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw != null && Number.isFinite(n) && n >= 0 ? Math.min(n, 100_000) : fallback;
  };
  return { chunks: Math.floor(pick('x-mock-chunks', 'chunks', 20)), delayMs: pick('x-mock-delay-ms', 'delay_ms', 0) };
}

const wholeCache = new Map<string, string>();
const streamCache = new Map<string, string[]>();

function wholeAnswer(wire: Wire, chunks: number): string {
  const key = `${wire}:${chunks}`;
  let text = wholeCache.get(key);
  if (text) return text;
  const content = TOKEN.repeat(chunks);
  text =
    wire === 'openai'
      ? JSON.stringify({
          id: 'chatcmpl-bench',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-bench',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: USAGE_IN, completion_tokens: chunks, total_tokens: USAGE_IN + chunks },
        })
      : JSON.stringify({
          id: 'msg_bench',
          type: 'message',
          role: 'assistant',
          model: 'claude-bench',
          content: [{ type: 'text', text: content }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: USAGE_IN, output_tokens: chunks },
        });
  wholeCache.set(key, text);
  return text;
}

/** The SSE frames of a stream: head, one frame per chunk (same text each), tail. */
function streamFrames(wire: Wire, chunks: number, includeUsage: boolean): string[] {
  const key = `${wire}:${chunks}:${includeUsage}`;
  let frames = streamCache.get(key);
  if (frames) return frames;
  const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const event = (name: string, o: unknown) => `event: ${name}\n${data(o)}`;
  if (wire === 'openai') {
    const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-bench' };
    const chunk = data({ ...base, choices: [{ index: 0, delta: { content: TOKEN }, finish_reason: null }] });
    frames = [
      data({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      ...Array.from({ length: chunks }, () => chunk),
      data({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
        (includeUsage ? data({ ...base, choices: [], usage: { prompt_tokens: USAGE_IN, completion_tokens: chunks, total_tokens: USAGE_IN + chunks } }) : '') +
        'data: [DONE]\n\n',
    ];
  } else {
    const chunk = event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: TOKEN } });
    frames = [
      event('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_bench',
          type: 'message',
          role: 'assistant',
          model: 'claude-bench',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: USAGE_IN, output_tokens: 1 },
        },
      }) + event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      ...Array.from({ length: chunks }, () => chunk),
      event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
        event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: chunks } }) +
        event('message_stop', { type: 'message_stop' }),
    ];
  }
  streamCache.set(key, frames);
  return frames;
}

function sendStream(res: ServerResponse, frames: string[], delayMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (delayMs <= 0) {
    for (const frame of frames) res.write(frame);
    res.end();
    return;
  }
  // Head at once (a real upstream sends headers and the first event quickly), then one chunk per tick.
  let i = 0;
  res.write(frames[i++]);
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(frames[i++]);
    if (i === frames.length) {
      clearInterval(timer);
      res.end();
    }
  }, delayMs);
  res.on('close', () => clearInterval(timer));
}

function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const path = (req.url ?? '').split('?')[0];
  const wire: Wire | undefined = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : undefined;
  if (!wire || req.method !== 'POST') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found"}}');
    return;
  }
  let body: { stream?: boolean; stream_options?: { include_usage?: boolean } };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"body is not JSON"}}');
    return;
  }
  const { chunks, delayMs } = shapeOf(req);
  if (body.stream) return sendStream(res, streamFrames(wire, chunks, body.stream_options?.include_usage === true), delayMs);
  const text = wholeAnswer(wire, chunks);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMockUpstream(port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handle(req, res, parts.length === 1 ? parts[0].toString() : Buffer.concat(parts).toString()));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () => closeServer(server),
  };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Entry for a child process: listen, announce the port on stdout, stop on a signal. */
export async function serveAsChild(start: () => Promise<RunningServer>): Promise<void> {
  const running = await start();
  process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the harness: when its end of stdin closes (it exited, even killed), stop too.
  if (process.env.BENCH_CHILD === '1') process.stdin.on('end', stop).resume();
}
