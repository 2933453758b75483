/**
 * An upstream that breaks in the ways real ones do, in every wire format. One
 * server, the format chosen by path (as in echo-secret.ts):
 *
 * - OpenAI chat:   POST /v1/chat/completions              (base url `${url}/v1`)
 * - Responses:     POST /v1/responses                     (base url `${url}/v1`)
 * - Anthropic:     POST /v1/messages                      (base url `url`)
 * - Gemini:        POST /v1beta/models/<m>:generateContent | :streamGenerateContent (base url `url`)
 *
 * `fault` decides what the next requests get (see BrokenFault). Streams start
 * with a real first text delta ("Hello") in the format's own events, so the
 * gateway has committed its answer to the client before the fault.
 */
import type { ServerResponse } from 'node:http';
import { sse, startAnyWireServer, type AnyWire } from './any-wire.js';
import type { RecordedRequest } from './types.js';

export type BrokenWire = AnyWire;

export type BrokenFault =
  /** A good answer (stream: every event up to the final one). */
  | 'complete'
  /** A started stream, then the socket destroyed. */
  | 'truncate'
  /** A started stream, then a clean end of the body without the final event. */
  | 'end-early'
  /** A started stream, then an event that is not JSON. */
  | 'garbage'
  /** A started stream, then JSON cut in half. */
  | 'invalid-json'
  /** A started stream, then JSON that is not an object. */
  | 'wrong-shape'
  /** 200 with an HTML page instead of an event stream. */
  | 'html'
  /** 200 with a JSON error body instead of an event stream. */
  | 'json-instead-of-stream'
  /** A started stream, then one comment byte every 400 ms, forever. */
  | 'never-ends'
  /** A started stream, then one event that never ends (64 KiB of letters at a time). */
  | 'huge-event'
  /** A non-stream 200 JSON body that never ends. */
  | 'huge-body'
  /** The whole stream (final event included), then the socket destroyed instead of ending the body. */
  | 'complete-then-reset'
  /** Waits `delayMs` before a good answer. */
  | 'slow';

export interface BrokenUpstream {
  readonly url: string;
  baseUrlFor(wire: BrokenWire): string;
  readonly requests: RecordedRequest[];
  fault: BrokenFault;
  /** For 'slow'. */
  delayMs: number;
  /** Requests whose connection the client (the gateway) closed before the answer ended. */
  readonly aborted: number;
  close(): Promise<void>;
}

/** The format's events for "Hello world": `head` up to the first delta, `tail` the rest with the final event last. */
function streamEvents(wire: BrokenWire, model: string): { head: Array<[unknown, string?]>; tail: Array<[unknown, string?]> } {
  const created = Math.floor(Date.now() / 1000);
  switch (wire) {
    case 'openai-chat': {
      const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
        id: 'chatcmpl-broken',
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...extra,
      });
      return {
        head: [[chunk({ role: 'assistant', content: 'Hello' })]],
        tail: [
          [chunk({ content: ' world' })],
          [chunk({}, 'stop')],
          [
            {
              id: 'chatcmpl-broken',
              object: 'chat.completion.chunk',
              created,
              model,
              choices: [],
              usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
            },
          ],
          ['[DONE]'],
        ],
      };
    }
    case 'openai-responses': {
      const base = { id: 'resp_broken', object: 'response', created_at: created, model, output: [] as unknown[] };
      const item = { id: 'msg_broken', type: 'message', role: 'assistant' };
      const ev = (type: string, body: object, n: number): [unknown, string] => [{ type, ...body, sequence_number: n }, type];
      return {
        head: [
          ev('response.created', { response: { ...base, status: 'in_progress' } }, 0),
          ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }, 1),
          ev(
            'response.content_part.added',
            { item_id: 'msg_broken', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
            2,
          ),
          ev('response.output_text.delta', { item_id: 'msg_broken', output_index: 0, content_index: 0, delta: 'Hello' }, 3),
        ],
        tail: [
          ev('response.output_text.delta', { item_id: 'msg_broken', output_index: 0, content_index: 0, delta: ' world' }, 4),
          ev('response.output_text.done', { item_id: 'msg_broken', output_index: 0, content_index: 0, text: 'Hello world' }, 5),
          ev(
            'response.content_part.done',
            { item_id: 'msg_broken', output_index: 0, content_index: 0, part: { type: 'output_text', text: 'Hello world', annotations: [] } },
            6,
          ),
          ev(
            'response.output_item.done',
            { output_index: 0, item: { ...item, status: 'completed', content: [{ type: 'output_text', text: 'Hello world', annotations: [] }] } },
            7,
          ),
          ev(
            'response.completed',
            {
              response: {
                ...base,
                status: 'completed',
                output: [{ ...item, status: 'completed', content: [{ type: 'output_text', text: 'Hello world', annotations: [] }] }],
                usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
              },
            },
            8,
          ),
        ],
      };
    }
    case 'anthropic':
      return {
        head: [
          [
            {
              type: 'message_start',
              message: {
                id: 'msg_broken',
                type: 'message',
                role: 'assistant',
                content: [],
                model,
                stop_reason: null,
                stop_sequence: null,
                usage: { input_tokens: 5, output_tokens: 1 },
              },
            },
            'message_start',
          ],
          [{ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'],
          [{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }, 'content_block_delta'],
        ],
        tail: [
          [{ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' world' } }, 'content_block_delta'],
          [{ type: 'content_block_stop', index: 0 }, 'content_block_stop'],
          [{ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }, 'message_delta'],
          [{ type: 'message_stop' }, 'message_stop'],
        ],
      };
    case 'gemini':
      return {
        head: [[{ candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, index: 0 }], modelVersion: model }]],
        tail: [
          [
            {
              candidates: [{ content: { role: 'model', parts: [{ text: ' world' }] }, finishReason: 'STOP', index: 0 }],
              usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
              modelVersion: model,
            },
          ],
        ],
      };
  }
}

function wholeAnswer(wire: BrokenWire, model: string): unknown {
  const created = Math.floor(Date.now() / 1000);
  switch (wire) {
    case 'openai-chat':
      return {
        id: 'chatcmpl-broken',
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      };
    case 'openai-responses':
      return {
        id: 'resp_broken',
        object: 'response',
        created_at: created,
        model,
        status: 'completed',
        output: [
          {
            id: 'msg_broken',
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: 'Hello world', annotations: [] }],
          },
        ],
        usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
      };
    case 'anthropic':
      return {
        id: 'msg_broken',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: 'Hello world' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 2 },
      };
    case 'gemini':
      return {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Hello world' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
        modelVersion: model,
      };
  }
}

/** Writes forever (until the reader goes away), `piece` every `everyMs`. */
function forever(res: ServerResponse, piece: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(piece);
  }, everyMs);
  res.once('close', () => clearInterval(timer));
}

function serve(wire: BrokenWire, stream: boolean, fault: BrokenFault, model: string, res: ServerResponse): void {
  if (fault === 'html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return void res.end('<!doctype html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
  }
  if (fault === 'json-instead-of-stream' && stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ error: { message: 'The upstream is overloaded', type: 'server_error' } }));
  }
  if (fault === 'huge-body' || (!stream && fault === 'huge-event')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":"x","padding":"');
    return forever(res, 'x'.repeat(64 * 1024), 1);
  }
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify(wholeAnswer(wire, model)));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const { head, tail } = streamEvents(wire, model);
  for (const [data, event] of head) sse(res, data, event);
  switch (fault) {
    case 'complete':
    case 'slow':
      for (const [data, event] of tail) sse(res, data, event);
      return void res.end();
    case 'complete-then-reset':
      for (const [data, event] of tail) sse(res, data, event);
      // The body's end (the chunked terminator) never comes: the connection is cut after the last event.
      return void res.write('', () => setTimeout(() => res.socket?.destroy(), 20));
    case 'truncate':
      return void res.write('', () => setTimeout(() => res.socket?.destroy(), 20));
    case 'end-early':
      return void res.end();
    case 'garbage':
      sse(res, 'this is not json <b>at all</b>');
      return void setTimeout(() => res.end(), 200);
    case 'invalid-json':
      sse(res, '{"choices":[{"delta":{"content":"x"');
      return void setTimeout(() => res.end(), 200);
    case 'wrong-shape':
      sse(res, '[1,2,3]');
      return void setTimeout(() => res.end(), 200);
    case 'never-ends':
      return forever(res, ':\n', 400);
    case 'huge-event':
      res.write('data: "');
      return forever(res, 'x'.repeat(64 * 1024), 1);
    case 'json-instead-of-stream':
      return void res.end();
    default: {
      const _exhaustive: never = fault;
      return void res.end(_exhaustive);
    }
  }
}

export async function startBrokenUpstream(initial: BrokenFault = 'complete'): Promise<BrokenUpstream> {
  const requests: RecordedRequest[] = [];
  const state = { fault: initial, delayMs: 0, aborted: 0 };
  const server = await startAnyWireServer(requests, (_req, res, { wire, body, stream }) => {
    res.on('close', () => {
      if (!res.writableFinished) state.aborted++;
    });
    const fault = state.fault;
    const model = String(body?.model ?? 'broken-model');
    if (fault === 'slow') {
      const timer = setTimeout(() => serve(wire, stream, fault, model, res), state.delayMs);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    serve(wire, stream, fault, model, res);
  });
  return {
    url: server.url,
    baseUrlFor: server.baseUrlFor,
    requests,
    get fault() {
      return state.fault;
    },
    set fault(value: BrokenFault) {
      state.fault = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    get aborted() {
      return state.aborted;
    },
    close: server.close,
  };
}
