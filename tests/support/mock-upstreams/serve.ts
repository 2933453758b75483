/**
 * The serving core every test upstream stands on: listen on 127.0.0.1, read
 * and record requests, close with the connections still open. On top of it,
 * `serveMock` adds what the wire-format mocks share (scenario queue, usage,
 * abort counting).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockOptions, MockScenario, MockUpstream, RecordedRequest } from './types.js';

/** A server listening on 127.0.0.1. */
export interface LocalServer {
  readonly url: string;
  readonly port: number;
  /** Stops listening and cuts the connections still open (kept-alive or hanging). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0: any free one). */
export async function listenLocal(server: Server, port = 0): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released): a dead upstream, or a port for a process to take. */
export async function freePort(): Promise<number> {
  const server = await listenLocal(createServer());
  await server.close();
  return server.port;
}

/**
 * An async request handler for `createServer`, which ignores returned promises:
 * a handler that throws answers 500 (when it still can) instead of leaving an
 * unhandled rejection behind.
 */
export function asyncHandler(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'handler failed');
    });
  };
}

/** A request's body as text and as JSON when it parses (the raw text when not, undefined when empty). */
export function readBody(req: IncomingMessage): Promise<{ raw: string; body: any }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text; handlers answer 400 */
      }
      resolve({ raw, body });
    });
  });
}

/** A server that records every request (method, url, headers, body) before handing it to `handle`. */
export function recordingServer(requests: RecordedRequest[], handle: (req: IncomingMessage, res: ServerResponse, body: any) => void): Server {
  return createServer((req, res) => {
    void readBody(req).then(({ body }) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
      handle(req, res, body);
    });
  });
}

/** What a mock keeps between requests: recorded requests, queued scenarios, reported usage. */
export interface MockState {
  readonly requests: RecordedRequest[];
  readonly queue: MockScenario[];
  readonly usage: { input: number; output: number; cached: number };
  /** Cuts the connection once what was written has reached the socket (drop_mid_stream); not a client abort. */
  drop(res: ServerResponse): void;
  /** Cuts the connection now, on purpose; not a client abort. */
  destroy(res: ServerResponse): void;
  isDropped(res: ServerResponse): boolean;
}

export function mockState(): MockState {
  const dropped = new WeakSet<ServerResponse>();
  return {
    requests: [],
    queue: [],
    usage: { input: 12, output: 8, cached: 0 },
    drop(res) {
      dropped.add(res);
      res.write('', () => res.socket?.destroy());
    },
    destroy(res) {
      dropped.add(res);
      res.socket?.destroy();
    },
    isDropped: (res) => dropped.has(res),
  };
}

/**
 * The HTTP side every mock upstream shares: reads and records each request
 * (JSON when it parses), counts client aborts, hands the request to the
 * format's handler and lets the format shape errors the handler throws.
 */
export async function serveMock(
  options: MockOptions,
  state: MockState,
  handle: (req: IncomingMessage, res: ServerResponse, body: any) => Promise<void>,
  sendError: (res: ServerResponse, error: unknown) => void,
  /** Appended to the listening address to form the mock's base URL (e.g. `/v1`). */
  urlPath = '',
): Promise<MockUpstream> {
  let aborted = 0;
  let closing = false;
  const server = recordingServer(state.requests, (req, res, body) => {
    handle(req, res, body).catch((error: unknown) => sendError(res, error));
  });
  // A second listener, so the count starts before the body is read (a client may leave early).
  server.on('request', (_req, res: ServerResponse) => {
    res.on('close', () => {
      if (!res.writableFinished && !closing && !state.isDropped(res)) aborted++;
    });
  });
  const local = await listenLocal(server, options.port ?? 0);
  return {
    url: `${local.url}${urlPath}`,
    requests: state.requests,
    get aborted() {
      return aborted;
    },
    enqueue: (...scenarios) => void state.queue.push(...scenarios),
    setUsage: (u) => void Object.assign(state.usage, { input: u.input, output: u.output, cached: u.cached ?? 0 }),
    close: async () => {
      closing = true;
      await local.close();
    },
  };
}
