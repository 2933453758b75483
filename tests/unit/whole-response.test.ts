import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { LightAbort } from '../../server/http/light-abort.js';
import { watchCollection } from '../support/collection.js';
import {
  DEFAULT_TIMEOUTS,
  sendUpstreamWhole,
  WholeReader,
  type UpstreamCall,
  type WholeReadLimits,
  type WholeResponse,
} from '../../server/proxy/upstream/http-client.js';

/** A loopback upstream whose answer each test sets; it records requests, connections and closed sockets. */
let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse) => void;
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
let connections = 0;
let closedSockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      handler(req, res);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    socket.once('close', () => closedSockets++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

class TooLarge extends Error {}
const limits = (extra: Partial<WholeReadLimits> = {}): WholeReadLimits => ({
  maxBytes: 1000,
  tooLarge: () => new TooLarge('too large'),
  errorBytes: 100,
  ...extra,
});
const call = (path: string, extra: Partial<UpstreamCall> = {}): UpstreamCall => ({
  url: `${base}${path}`,
  headers: { 'content-type': 'application/json' },
  body: '{"q":1}',
  timeouts: DEFAULT_TIMEOUTS,
  ...extra,
});
const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('sendUpstreamWhole', () => {
  it('reads a body sent in many chunks, with its status and lower-cased headers, and keeps its connections for the next calls', async () => {
    handler = (_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'abc' });
      const bytes = Buffer.from(JSON.stringify({ answer: 'é'.repeat(300) }));
      let at = 0;
      const step = () => {
        if (at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, at + 7));
        at += 7;
        setImmediate(step);
      };
      step();
    };
    const before = connections;
    const first = await sendUpstreamWhole(call('/a?x=1'), limits());
    expect(first.statusCode).toBe(201);
    expect(first.headers['x-request-id']).toBe('abc');
    // Split inside two-byte characters: decoded once, whole.
    expect(JSON.parse(first.text)).toEqual({ answer: 'é'.repeat(300) });
    expect(seen[0]).toMatchObject({ url: '/a?x=1', body: '{"q":1}' });
    for (let i = 0; i < 5; i++) await sendUpstreamWhole(call('/b'), limits());
    // Pooled: undici's pool may open a second connection for a call made in the same tick as the first one's end, never one per call.
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it('sends what the credential step made of the request', async () => {
    handler = (_req, res) => res.end('{}');
    await sendUpstreamWhole(
      call('/signed', {
        prepare: async (out) => ({ ...out, url: `${out.url}?sig=1`, headers: { ...out.headers, authorization: 'Signed abc' }, body: '{"signed":true}' }),
      }),
      limits(),
    );
    expect(seen[0]).toMatchObject({ url: '/signed?sig=1', body: '{"signed":true}' });
    expect(seen[0].headers.authorization).toBe('Signed abc');
  });

  it('refuses a declared length above the limit before reading, without telling of a success', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.write('x'.repeat(10));
    };
    let told = false;
    const closed = closedSockets;
    await expect(sendUpstreamWhole(call('/declared'), limits({ onSuccessHeaders: () => (told = true) }))).rejects.toBeInstanceOf(TooLarge);
    expect(told).toBe(false);
    await until(() => closedSockets > closed);
  });

  it('refuses a body that grows past the limit as it arrives and closes the connection', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write('y'.repeat(300)), 2);
      res.once('close', () => clearInterval(timer));
    };
    const closed = closedSockets;
    await expect(sendUpstreamWhole(call('/growing'), limits())).rejects.toBeInstanceOf(TooLarge);
    await until(() => closedSockets > closed);
  });

  it('keeps the first errorBytes of an error body and does not wait for the rest', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'retry-after': '3' });
      res.write('z'.repeat(60));
      setTimeout(() => res.write('w'.repeat(60)), 20);
      // Never ends: only the cut-off returns.
    };
    const closed = closedSockets;
    const answer = await sendUpstreamWhole(call('/error'), limits());
    expect(answer.statusCode).toBe(500);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.text).toBe('z'.repeat(60) + 'w'.repeat(40));
    await until(() => closedSockets > closed);
  });

  it('reads a short error body whole', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    };
    expect(await sendUpstreamWhole(call('/429'), limits())).toMatchObject({ statusCode: 429, text: '{"error":{"message":"slow down"}}' });
  });

  it('tells of the success status when the headers arrive, before the body ends', async () => {
    let toldAt = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => res.end('1}'), 80);
    };
    const started = Date.now();
    const answer = await sendUpstreamWhole(call('/slow-body'), limits({ onSuccessHeaders: () => (toldAt = Date.now()) }));
    const endedAt = Date.now();
    expect(answer.text).toBe('{"a":1}');
    expect(toldAt).toBeGreaterThan(0);
    expect(toldAt - started).toBeLessThan(endedAt - started - 40);
  });

  it('an abort mid-body rejects with its reason and closes the upstream connection', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    };
    const abort = new LightAbort();
    const closed = closedSockets;
    const pending = sendUpstreamWhole(
      call('/abort', { signal: abort }),
      limits({ onSuccessHeaders: () => setTimeout(() => abort.abort(new Error('client left')), 10) }),
    );
    await expect(pending).rejects.toThrow('client left');
    await until(() => closedSockets > closed);
  });

  it('an abort before the call sends nothing', async () => {
    handler = (_req, res) => res.end('{}');
    const abort = new LightAbort();
    abort.abort(new Error('already gone'));
    await expect(sendUpstreamWhole(call('/never', { signal: abort }), limits())).rejects.toThrow('already gone');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(0);
  });

  it('times out waiting for headers with undici’s own error, and a body cut off is an error', async () => {
    handler = () => {};
    await expect(sendUpstreamWhole(call('/silent', { timeouts: { ...DEFAULT_TIMEOUTS, firstByteMs: 100 } }), limits())).rejects.toBeInstanceOf(
      undiciErrors.HeadersTimeoutError,
    );
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '50' });
      res.write('{"cut":');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    await expect(sendUpstreamWhole(call('/cut'), limits())).rejects.toBeInstanceOf(Error);
  });

  it('a settled reader that undici still holds keeps neither the abort signal nor the callbacks alive', async () => {
    const registry = watchCollection();
    const controller = { abort: () => {} } as unknown as Dispatcher.DispatchController;
    let answer: WholeResponse | undefined;
    // The reader stays referenced here, as by a dispatcher that keeps a finished request's handler a while.
    const reader = (() => {
      const abort = new LightAbort();
      const onSuccessHeaders = () => {};
      registry.register(abort, 'signal');
      registry.register(onSuccessHeaders, 'callback');
      const made = new WholeReader(
        limits({ onSuccessHeaders }),
        abort,
        (r) => (answer = r),
        () => {},
      );
      made.onRequestStart(controller);
      made.onResponseStart(controller, 200, { 'content-type': 'application/json' });
      made.onResponseData(controller, Buffer.from('{"ok":true}'));
      made.onResponseEnd();
      return made;
    })();
    expect(answer?.text).toBe('{"ok":true}');
    const freed = await registry.freed(2);
    expect(reader.settled).toBe(true);
    expect(freed).toEqual(['callback', 'signal']);
  });
});
