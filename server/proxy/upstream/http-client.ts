import type { IncomingHttpHeaders } from 'node:http';
import type { Agent as AgentType, Dispatcher } from 'undici';
import { Agent, errors as undiciErrors, request } from '../../http/undici.js';
import type { AbortLike } from '../../http/light-abort.js';

/**
 * Keep-alive connection pools for upstream calls. undici's Agent keeps one pool
 * per origin; agents are shared by every provider with the same connect
 * timeout, so a request never creates a client of its own.
 */
export interface UpstreamTimeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** Until response headers arrive (time to first byte). */
  firstByteMs: number;
  /** Longest silence between body chunks (streams). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 10_000, firstByteMs: 300_000, idleMs: 300_000 };

const agents = new Map<number, AgentType>();

function agentFor(connectMs: number): AgentType {
  let agent = agents.get(connectMs);
  if (!agent) {
    agent = new Agent({
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      // No cap per origin: long streams must not queue behind each other.
      connections: null,
      pipelining: 1,
      connect: { timeout: connectMs },
    });
    agents.set(connectMs, agent);
  }
  return agent;
}

/** A request as it will go out: what a signature or a token is computed over. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/**
 * A provider's last step before sending (providers/auth): sign the final URL,
 * headers and body (AWS SigV4), or add a token minted and cached for it
 * (Google service accounts, Entra ID). May reshape the body first; throws a
 * GatewayError when no credential can be had.
 */
export type PrepareRequest = (request: OutgoingRequest) => Promise<OutgoingRequest>;

export interface UpstreamCall {
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  timeouts: UpstreamTimeouts;
  signal?: AbortLike;
  prepare?: PrepareRequest;
}

/** The request after the provider's credential step. */
async function outgoing(call: UpstreamCall): Promise<OutgoingRequest> {
  const out: OutgoingRequest = { method: call.method ?? 'POST', url: call.url, headers: call.headers, body: call.body };
  return call.prepare ? call.prepare(out) : out;
}

/** A response whose body is read as it arrives (streams, media). */
export async function sendUpstream(call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  const out = await outgoing(call);
  return request(out.url, {
    method: out.method,
    headers: out.headers,
    body: out.body,
    // undici takes anything with addEventListener (its types name AbortSignal and EventEmitter only).
    signal: call.signal as AbortSignal | undefined,
    dispatcher: agentFor(call.timeouts.connectMs),
    headersTimeout: call.timeouts.firstByteMs,
    bodyTimeout: call.timeouts.idleMs,
  });
}

/** A whole response, read into memory. */
export interface WholeResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text; on an error status at most `errorBytes` of it. */
  text: string;
}

export interface WholeReadLimits {
  /** The most a success body may hold (declared or as it arrives); past it the request is aborted and rejects with `tooLarge()`. */
  maxBytes: number;
  tooLarge: () => Error;
  /** How much of an error body is kept: the rest is not waited for. */
  errorBytes: number;
  /** Called when a success status arrives, before the body. */
  onSuccessHeaders?: () => void;
}

/**
 * A response read whole, straight from undici's dispatch callbacks. `request()`
 * makes a Readable body, an async resource and a promise chain per call:
 * measured 10–15 µs more CPU per small JSON answer, which a whole answer does
 * not need. Timeouts, pooling and errors are the same as sendUpstream's.
 */
export function sendUpstreamWhole(call: UpstreamCall, limits: WholeReadLimits): Promise<WholeResponse> {
  return dispatchUpstream<WholeResponse>(call, (resolve, reject) => new WholeReader(limits, call.signal, resolve, reject));
}

/**
 * Sends a call through undici's dispatch with a handler of the caller's: the
 * promise is the one the handler settles. A handler settled at birth (its
 * signal already aborted) is never dispatched.
 */
export async function dispatchUpstream<T>(
  call: UpstreamCall,
  handler: (resolve: (value: T) => void, reject: (error: unknown) => void) => Dispatcher.DispatchHandler & { settled: boolean },
): Promise<T> {
  const out = await outgoing(call);
  const { origin, pathname, search } = new URL(out.url);
  return new Promise<T>((resolve, reject) => {
    const reader = handler(resolve, reject);
    if (reader.settled) return;
    agentFor(call.timeouts.connectMs).dispatch(
      {
        origin,
        path: pathname + search,
        method: out.method,
        headers: out.headers,
        body: out.body,
        headersTimeout: call.timeouts.firstByteMs,
        bodyTimeout: call.timeouts.idleMs,
      },
      reader,
    );
  });
}

/**
 * The dispatch handler of sendUpstreamWhole: one object per request, no closures.
 * Once settled it lets go of everything it was given: undici may hold a handler
 * a while after the answer, and the request's abort signal, callbacks and
 * promise lead to the whole request (its context, the client's request and
 * response), which would then outlive two young-generation collections and be
 * copied into the old generation with every request (measured: 2.4 MB promoted
 * per scavenge at 50 connections instead of 0.5 MB).
 */
export class WholeReader implements Dispatcher.DispatchHandler {
  settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private body: BodyText | undefined;

  constructor(
    private limits: WholeReadLimits | undefined,
    private signal: AbortLike | undefined,
    private resolve: ((response: WholeResponse) => void) | undefined,
    private reject: ((error: unknown) => void) | undefined,
  ) {
    if (signal?.aborted) this.fail(signal.reason ?? new undiciErrors.RequestAbortedError());
    else signal?.addEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => this.abort(this.signal?.reason ?? new undiciErrors.RequestAbortedError());

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while waiting for a connection.
    if (this.settled) controller.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const limits = this.limits;
    if (this.settled || !limits) return;
    this.statusCode = statusCode;
    this.headers = headers;
    if (statusCode >= 400) {
      this.body = new BodyText(limits.errorBytes);
      return;
    }
    this.body = new BodyText(limits.maxBytes);
    if (Number(headers['content-length'] ?? 0) > limits.maxBytes) return this.abort(limits.tooLarge());
    limits.onSuccessHeaders?.();
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled || !this.body || this.body.add(chunk)) return;
    if (this.statusCode < 400) return this.abort(this.limits?.tooLarge() ?? new undiciErrors.RequestAbortedError());
    // Enough of an error body: stop reading.
    const controller = this.controller;
    this.finish();
    controller?.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private finish(): void {
    if (this.settled) return;
    const resolve = this.resolve;
    const response = { statusCode: this.statusCode, headers: this.headers, text: this.body?.text() ?? '' };
    this.release();
    resolve?.(response);
  }

  private abort(error: unknown): void {
    if (this.settled) return;
    const controller = this.controller;
    this.fail(error);
    controller?.abort(error instanceof Error ? error : new undiciErrors.RequestAbortedError());
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    const reject = this.reject;
    this.release();
    reject?.(error);
  }

  private release(): void {
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = undefined;
    this.limits = undefined;
    this.resolve = undefined;
    this.reject = undefined;
    this.controller = undefined;
    this.body = undefined;
    this.headers = {};
  }
}

/** A body's chunks kept up to a cap, then read as UTF-8 text. */
export class BodyText {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly cap: number) {}

  /** Keeps the chunk, or the part of it that fits: false once the body has passed the cap. */
  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size <= this.cap) {
      this.chunks.push(chunk);
      return true;
    }
    const fits = chunk.length - (this.size - this.cap);
    if (fits > 0) this.chunks.push(chunk.subarray(0, fits));
    return false;
  }

  text(): string {
    return this.chunks.length === 1 ? this.chunks[0].toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
  }
}

export async function closeUpstreamPools(): Promise<void> {
  await Promise.all([...agents.values()].map((a) => a.close()));
  agents.clear();
}
