import type { ServerResponse } from 'node:http';

/**
 * The SSE response to the client. Headers go out with the first write, which
 * is the point after which failover is no longer possible. Writes wait for
 * 'drain', so a slow client slows the upstream read instead of growing memory.
 * Events written in the same tick (those parsed from one upstream read) are
 * corked into one send, instead of one system call per event.
 */
export class ClientStream {
  private started = false;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.res.uncork();
  };

  constructor(private readonly res: ServerResponse) {}

  get committed(): boolean {
    return this.started;
  }

  /** Returns a promise only when the client's buffer is full (wait for it before writing more); otherwise nothing, so the per-event path allocates no promise. */
  write(text: string): Promise<void> | undefined {
    if (!text) return;
    if (!this.started) this.start();
    if (this.res.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(this.uncork);
    }
    if (this.res.write(text)) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (!this.started) this.start();
    this.res.end();
  }

  private start(): void {
    this.started = true;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
  }
}
