import type { IncomingMessage } from 'node:http';

/**
 * After a refusal the rest of the body is read and discarded up to this many
 * bytes, so the connection stays usable for the client's next request; past it
 * the connection is closed (a client that keeps sending is not worth a socket).
 */
export const REFUSED_BODY_DRAIN_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    /** True when the connection cannot be kept alive (the rest is too big to drain): answer with `connection: close`. */
    readonly closeConnection: boolean,
  ) {
    super(`Request body exceeds the limit of ${limit} bytes`);
  }
}

export class BodyTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Request body was not received within ${timeoutMs} ms`);
  }
}

export interface BodyReadOptions {
  maxBytes: number;
  /** Longest time for the whole body to arrive (0 = no limit). A slow sender ties up a socket and a handler. */
  timeoutMs?: number;
}

/**
 * Reads the whole body. Refuses by Content-Length before reading anything, or as
 * soon as the limit is passed; a body that does not arrive in time is refused
 * too. Events rather than `for await`: leaving an async iterator early destroys
 * the socket, which would reset a kept-alive connection after a refusal.
 */
export function readBody(req: IncomingMessage, limitOrOptions: number | BodyReadOptions): Promise<Buffer> {
  const { maxBytes, timeoutMs = 0 } = typeof limitOrOptions === 'number' ? { maxBytes: limitOrOptions } : limitOrOptions;
  return new Promise<Buffer>((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      const tooBigToDrain = declared > REFUSED_BODY_DRAIN_BYTES;
      discardRest(req, tooBigToDrain ? 0 : REFUSED_BODY_DRAIN_BYTES);
      reject(new BodyTooLargeError(maxBytes, tooBigToDrain));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      discardRest(req, REFUSED_BODY_DRAIN_BYTES);
      reject(new BodyTooLargeError(maxBytes, false));
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('The connection closed before the request body was complete'));
    };
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            cleanup();
            // Nothing more is read; the answer goes out with `connection: close` and the socket ends with it.
            req.pause();
            reject(new BodyTimeoutError(timeoutMs));
          }, timeoutMs)
        : undefined;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * For answers sent before the body was read (401, 404, …): the unread rest is
 * drained, up to `cap` (the body limit: a body the gateway would have accepted
 * is read to its end, so the client sees the answer and the connection can
 * serve its next request); past it the connection is closed.
 */
export function discardUnreadBody(req: IncomingMessage, cap: number): void {
  if (!req.readableEnded && req.readableFlowing === null) discardRest(req, cap);
}

/** Reads and drops what is left of a refused body; past `cap` bytes the socket is closed. */
function discardRest(req: IncomingMessage, cap: number): void {
  if (req.readableEnded) return;
  let dropped = 0;
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > cap) {
      req.off('data', onData);
      // Give the refusal a moment to reach the client before the socket goes.
      setTimeout(() => req.socket.destroy(), 50).unref();
    }
  };
  req.on('data', onData);
  req.on('error', () => {});
  req.resume();
}
