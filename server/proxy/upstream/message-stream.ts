import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { errors as undiciErrors } from '../../http/undici.js';
import type { SseMessage } from '../../core/stream-event.js';
import type { AbortLike } from '../../http/light-abort.js';
import { BodyText, dispatchUpstream, type UpstreamCall } from './http-client.js';
import type { MessageFramer } from './message-framer.js';

/** The stream as a whole lasted longer than its total deadline (the idle timeout alone never fires on a trickle). */
export class StreamDeadlineError extends Error {
  constructor(readonly totalMs: number) {
    super(`The upstream stream did not finish within ${totalMs} ms`);
  }
}

export interface MessageStreamOptions {
  framer: MessageFramer;
  /** Longest the whole stream may take from its response headers (0 = none); past it reading fails with StreamDeadlineError. */
  totalMs: number;
  /** How much of an error body (or of a success body that is not a stream) is kept: the rest is not waited for. */
  errorBytes: number;
  /** When given, a success answer whose content type this refuses is read as text, like an error. */
  isStream?: (contentType: string) => boolean;
}

/** A stream answer (`messages`), or an answer read as text: an error status, or a body that is not the stream asked for. */
export type StreamResponse =
  | { statusCode: number; headers: IncomingHttpHeaders; messages: AsyncIterable<SseMessage[]>; text?: undefined }
  | { statusCode: number; headers: IncomingHttpHeaders; text: string; messages?: undefined };

/**
 * Sends a request whose answer is a stream of messages, framed as its chunks
 * arrive, straight from undici's dispatch callbacks: no Readable body and no
 * async generators between the socket and the consumer, who pays one promise
 * per batch (what arrived since its last read). Timeouts, pooling and errors
 * are sendUpstream's.
 */
export function sendUpstreamStream(call: UpstreamCall, options: MessageStreamOptions): Promise<StreamResponse> {
  return dispatchUpstream<StreamResponse>(call, (resolve, reject) => new MessageStream(options, call.signal, resolve, reject));
}

/** Messages waiting for a slow consumer past this many received bytes pause the upstream read. */
const HIGH_WATER = 64 * 1024;

type Waiter = { resolve: (result: IteratorResult<SseMessage[]>) => void; reject: (error: unknown) => void };

/**
 * The dispatch handler and the consumer's iterator in one object. Messages
 * wait in one queue; reading it resumes a paused upstream, and a failure is
 * seen after the messages that came before it. Like the whole-answer reader it
 * lets go of the request's signal and promise callbacks once they are done
 * with, so a handler undici still holds keeps nothing of the request alive.
 */
export class MessageStream implements Dispatcher.DispatchHandler, AsyncIterableIterator<SseMessage[]> {
  /** The response promise has settled (or the call was given up before it). */
  settled = false;
  /** Nothing more is wanted from the upstream: the body ended, failed or was given up. */
  private closed = false;
  private controller: Dispatcher.DispatchController | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private resolve: ((response: StreamResponse) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  // An answer read as text.
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private text: BodyText | undefined;
  // A stream answer.
  private queue: SseMessage[] = [];
  private queuedBytes = 0;
  private waiter: Waiter | undefined;
  private failure: { error: Error } | undefined;

  constructor(
    private options: MessageStreamOptions | undefined,
    private signal: AbortLike | undefined,
    resolve: (response: StreamResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.resolve = resolve;
    this.reject = reject;
    if (signal?.aborted) this.stop(signal.reason ?? new undiciErrors.RequestAbortedError());
    else signal?.addEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => this.stop(this.signal?.reason ?? new undiciErrors.RequestAbortedError());

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Given up while waiting for a connection.
    if (this.closed) controller.abort(new undiciErrors.RequestAbortedError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const options = this.options;
    if (this.closed || !options) return;
    this.statusCode = statusCode;
    this.headers = headers;
    const type = headers['content-type'];
    if (statusCode >= 400 || (options.isStream && !options.isStream(mediaType(type)))) {
      this.text = new BodyText(options.errorBytes);
      return;
    }
    if (options.totalMs > 0) this.deadline = setTimeout(this.onDeadline, options.totalMs);
    this.settle()?.resolve({ statusCode, headers, messages: this });
  }

  private readonly onDeadline = (): void => this.stop(new StreamDeadlineError(this.options?.totalMs ?? 0));

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const options = this.options;
    if (this.closed || !options) return;
    if (this.text) return this.keepText(this.text, chunk);
    let messages: SseMessage[];
    try {
      messages = options.framer.push(chunk);
    } catch (error) {
      return this.stop(error);
    }
    if (!messages.length) return;
    const waiter = this.waiter;
    if (waiter && !this.queue.length) {
      this.waiter = undefined;
      return waiter.resolve({ value: messages, done: false });
    }
    if (this.queue.length) for (const m of messages) this.queue.push(m);
    else this.queue = messages;
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER && !controller.paused) controller.pause();
  }

  onResponseEnd(): void {
    const options = this.options;
    if (this.closed || !options) return;
    if (this.text) return this.finishText(this.text);
    let rest: SseMessage[];
    try {
      rest = options.framer.end();
    } catch (error) {
      return this.stop(error);
    }
    for (const m of rest) this.queue.push(m);
    this.close();
    this.wake();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.stop(error);
  }

  next(): Promise<IteratorResult<SseMessage[]>> {
    if (this.queue.length) {
      const value = this.queue;
      this.queue = [];
      this.queuedBytes = 0;
      if (!this.closed && this.controller?.paused) this.controller.resume();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      this.release();
      return Promise.reject(error);
    }
    if (this.closed) {
      this.release();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The consumer stopped reading early: the upstream request is given up. */
  return(): Promise<IteratorResult<SseMessage[]>> {
    const controller = this.controller;
    const open = !this.closed;
    this.close();
    this.queue = [];
    this.failure = undefined;
    this.release();
    if (open) controller?.abort(new undiciErrors.RequestAbortedError());
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the call with an error: the response promise rejects, or the stream's reader sees it after what was queued. */
  private stop(reason: unknown): void {
    if (this.closed) return;
    const error = reason instanceof Error ? reason : new undiciErrors.RequestAbortedError();
    const controller = this.controller;
    const pending = this.settle();
    this.close();
    if (pending) pending.reject(error);
    else {
      this.failure = { error };
      this.wake();
    }
    controller?.abort(error);
  }

  private keepText(text: BodyText, chunk: Buffer): void {
    if (text.add(chunk)) return;
    // Enough of it: stop reading.
    const controller = this.controller;
    this.finishText(text);
    controller?.abort(new undiciErrors.RequestAbortedError());
  }

  private finishText(body: BodyText): void {
    const response = { statusCode: this.statusCode, headers: this.headers, text: body.text() };
    const pending = this.settle();
    this.close();
    this.release();
    pending?.resolve(response);
  }

  /** The response promise's callbacks, once: later calls get nothing. */
  private settle(): { resolve: (response: StreamResponse) => void; reject: (error: unknown) => void } | undefined {
    const { resolve, reject } = this;
    this.resolve = undefined;
    this.reject = undefined;
    this.settled = true;
    return resolve && reject ? { resolve, reject } : undefined;
  }

  /** Tells a waiting reader what is there now: messages, the failure, or the end. */
  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    this.next().then(waiter.resolve, waiter.reject);
  }

  private close(): void {
    this.closed = true;
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal = undefined;
  }

  /** Lets go of everything the request gave it, once nothing more will be read. */
  private release(): void {
    this.options = undefined;
    this.controller = undefined;
    this.waiter = undefined;
    this.text = undefined;
    this.headers = {};
  }
}

/** A content-type header's media type, lower-cased without parameters ('' when absent). */
export function mediaType(header: string | string[] | undefined): string {
  return ((Array.isArray(header) ? header[0] : header) ?? '').split(';')[0].trim().toLowerCase();
}
