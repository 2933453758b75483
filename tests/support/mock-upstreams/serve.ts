import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockOptions, MockScenario, MockUpstream, RecordedRequest } from './types.js';

/** What a mock keeps between requests: recorded requests, queued scenarios, reported usage. */
export interface MockState {
  readonly requests: RecordedRequest[];
  readonly queue: MockScenario[];
  readonly usage: { input: number; output: number; cached: number };
  /** Cuts the connection once what was written has reached the socket (drop_mid_stream); not a client abort. */
  drop(res: ServerResponse): void;
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
): Promise<MockUpstream> {
  let aborted = 0;
  let closing = false;
  const server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished && !closing && !state.isDropped(res)) aborted++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text; handlers answer 400 */
      }
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
      handle(req, res, body).catch((error: unknown) => sendError(res, error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    get aborted() {
      return aborted;
    },
    enqueue: (...scenarios) => void state.queue.push(...scenarios),
    setUsage: (u) => void Object.assign(state.usage, { input: u.input, output: u.output, cached: u.cached ?? 0 }),
    close: async () => {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
