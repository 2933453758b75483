/**
 * The stream reader of upstream answers (sendUpstreamStream) against a real loopback server:
 * messages in batches as chunks arrive, a slow reader pausing the upstream, the total
 * deadline, error statuses and wrong content types read as capped text, aborts, a reader
 * that stops early, a framing failure after the messages before it, and nothing of the
 * request kept alive once the stream is read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import type { SseMessage } from '../../server/core/stream-event.js';
import { LightAbort } from '../../server/http/light-abort.js';
import { watchCollection } from '../support/collection.js';
import { DEFAULT_TIMEOUTS, type UpstreamCall } from '../../server/proxy/upstream/http-client.js';
import {
  MessageStream,
  sendUpstreamStream,
  StreamDeadlineError,
  type MessageStreamOptions,
  type StreamResponse,
} from '../../server/proxy/upstream/message-stream.js';
import { SseEventTooLargeError, SseFramer } from '../../server/proxy/upstream/sse-reader.js';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
let closedSockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (socket) => socket.once('close', () => closedSockets++));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const call = (extra: Partial<UpstreamCall> = {}): UpstreamCall => ({
  url: `${base}/v1/chat/completions`,
  headers: { 'content-type': 'application/json' },
  body: '{"stream":true}',
  timeouts: DEFAULT_TIMEOUTS,
  ...extra,
});
const options = (extra: Partial<MessageStreamOptions> = {}): MessageStreamOptions => ({
  framer: new SseFramer(),
  totalMs: 0,
  errorBytes: 100,
  ...extra,
});
const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const event = (i: number) => `data: {"i":${i}}\n\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
};
const messagesOf = (response: StreamResponse) => {
  if (!response.messages) throw new Error(`not a stream: ${response.statusCode} ${response.text}`);
  return response.messages;
};
/** An upstream that sends one event every `ms` until the connection closes. */
const endless = (ms: number) => (_req: IncomingMessage, res: ServerResponse) => {
  sse(res);
  let i = 0;
  const timer = setInterval(() => res.write(event(i++)), ms);
  res.once('close', () => clearInterval(timer));
};
/** The messages' data read until the stream fails, and the failure. */
async function readUntilFailure(messages: AsyncIterable<SseMessage[]>): Promise<{ seen: string[]; error: unknown }> {
  const seen: string[] = [];
  try {
    for await (const batch of messages) for (const m of batch) seen.push(m.data);
  } catch (error) {
    return { seen, error };
  }
  return { seen, error: undefined };
}
async function readAll(messages: AsyncIterable<SseMessage[]>): Promise<{ batches: number; data: string[] }> {
  const data: string[] = [];
  let batches = 0;
  for await (const batch of messages) {
    expect(batch.length).toBeGreaterThan(0);
    batches++;
    for (const m of batch) data.push(m.data);
  }
  return { batches, data };
}

describe('sendUpstreamStream', () => {
  it('gives the messages in order, in batches as they arrive, even split inside events and characters', async () => {
    const text = Array.from({ length: 30 }, (_, i) => `data: {"i":${i},"t":"é"}\n\n`).join('');
    const bytes = Buffer.from(text);
    handler = (_req, res) => {
      sse(res);
      let at = 0;
      const step = () => {
        if (at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, at + 37)); // cuts inside events and inside "é"
        at += 37;
        setTimeout(step, 1);
      };
      step();
    };
    const response = await sendUpstreamStream(call(), options());
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const { batches, data } = await readAll(messagesOf(response));
    expect(data).toEqual(Array.from({ length: 30 }, (_, i) => `{"i":${i},"t":"é"}`));
    expect(batches).toBeGreaterThan(1);
  });

  it('a reader that does not read pauses the upstream, and every message arrives once it reads', async () => {
    const total = 40 * 1024 * 1024;
    const chunk = Buffer.from(`data: ${'x'.repeat(16 * 1024 - 9)}\n\n`);
    let written = 0;
    handler = (_req, res) => {
      sse(res);
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const messages = messagesOf(await sendUpstreamStream(call(), options()));
    await sleep(400);
    // Socket buffers hold a few megabytes; without the pause the reader would take all 40 MB into memory.
    expect(written).toBeLessThan(total / 4);
    let count = 0;
    for await (const batch of messages) count += batch.length;
    expect(count).toBe(written / chunk.length);
    expect(written).toBeGreaterThanOrEqual(total);
  });

  it('fails with StreamDeadlineError past the total deadline, after the messages before it, and closes the connection', async () => {
    handler = endless(20);
    const closedBefore = closedSockets;
    const messages = messagesOf(await sendUpstreamStream(call(), options({ totalMs: 250 })));
    const { seen, error } = await readUntilFailure(messages);
    expect(error).toBeInstanceOf(StreamDeadlineError);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[0]).toBe('{"i":0}');
    await until(() => closedSockets > closedBefore);
  });

  it('reads an error status as text, at most errorBytes of it, without waiting for the rest', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.write(JSON.stringify({ error: { message: 'slow down '.repeat(50) } }));
      // never ends
    };
    const response = await sendUpstreamStream(call(), options({ errorBytes: 100 }));
    expect(response.messages).toBeUndefined();
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.text).toHaveLength(100);
    expect(response.text?.startsWith('{"error":{"message":"slow down')).toBe(true);
  });

  it('a success answer of another content type is read as text when a stream type is required', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":{"message":"no streams here"}}');
    };
    const isStream = (type: string) => type === 'text/event-stream';
    const refused = await sendUpstreamStream(call(), options({ isStream }));
    expect(refused).toMatchObject({ statusCode: 200, text: '{"error":{"message":"no streams here"}}' });
    expect(refused.messages).toBeUndefined();
    // Without the requirement the same body is a stream (of no messages).
    const taken = await sendUpstreamStream(call(), options());
    expect((await readAll(messagesOf(taken))).data).toEqual([]);
  });

  it('an abort mid-stream rejects the waiting read with its reason and closes the upstream connection', async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(event(0));
    };
    const abort = new LightAbort();
    const closedBefore = closedSockets;
    const messages = messagesOf(await sendUpstreamStream(call({ signal: abort }), options()));
    const iterator = messages[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual([{ data: '{"i":0}' }]);
    const waiting = iterator.next();
    const reason = new Error('client left');
    abort.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await until(() => closedSockets > closedBefore);
  });

  it('an abort before the call sends nothing and rejects with its reason', async () => {
    let requests = 0;
    handler = (_req, res) => {
      requests++;
      res.end();
    };
    const abort = new LightAbort();
    const reason = new Error('gone');
    abort.abort(reason);
    await expect(sendUpstreamStream(call({ signal: abort }), options())).rejects.toBe(reason);
    await sleep(50);
    expect(requests).toBe(0);
  });

  it('a reader that stops early gives up the upstream request', async () => {
    handler = endless(5);
    const closedBefore = closedSockets;
    const messages = messagesOf(await sendUpstreamStream(call(), options()));
    for await (const batch of messages) if (batch.length) break;
    await until(() => closedSockets > closedBefore);
  });

  it('a framing failure comes after the messages received before it', async () => {
    handler = (_req, res) => {
      sse(res);
      res.write(event(0) + event(1));
      setTimeout(() => res.write(`data: ${'y'.repeat(5000)}`), 20);
    };
    const messages = messagesOf(await sendUpstreamStream(call(), options({ framer: new SseFramer(1024) })));
    await sleep(100); // both chunks are in before the first read
    const { seen, error } = await readUntilFailure(messages);
    expect(seen).toEqual(['{"i":0}', '{"i":1}']);
    expect(error).toBeInstanceOf(SseEventTooLargeError);
  });

  it('a stream cut off by the upstream fails the read', async () => {
    handler = (req, res) => {
      sse(res);
      res.write(event(0));
      setTimeout(() => req.socket.destroy(), 20);
    };
    const messages = messagesOf(await sendUpstreamStream(call(), options()));
    const { seen, error } = await readUntilFailure(messages);
    expect(seen).toEqual(['{"i":0}']);
    expect(error).toBeInstanceOf(Error);
  });

  it('a stream read to its end keeps neither the abort signal nor the request’s callbacks alive', async () => {
    const registry = watchCollection();
    const controller = { abort: () => {}, pause: () => {}, resume: () => {}, paused: false } as unknown as Dispatcher.DispatchController;
    let response: StreamResponse | undefined;
    // The handler stays referenced here, as by a dispatcher that keeps a finished request's handler a while.
    const stream = (() => {
      const abort = new LightAbort();
      const reject = () => {};
      registry.register(abort, 'signal');
      registry.register(reject, 'callback');
      const made = new MessageStream(options(), abort, (r) => (response = r), reject);
      made.onRequestStart(controller);
      made.onResponseStart(controller, 200, { 'content-type': 'text/event-stream' });
      made.onResponseData(controller, Buffer.from(event(0)));
      made.onResponseEnd();
      return made;
    })();
    expect((await readAll(messagesOf(response!))).data).toEqual(['{"i":0}']);
    response = undefined;
    const freed = await registry.freed(2);
    expect(stream.settled).toBe(true);
    expect(freed).toEqual(['callback', 'signal']);
  });
});
