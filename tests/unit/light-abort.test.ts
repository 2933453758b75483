import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LightAbort } from '../../server/http/light-abort.js';

describe('LightAbort', () => {
  it('calls each listener once, not removed ones, and none added after the abort', () => {
    const abort = new LightAbort();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    abort.addEventListener('abort', () => calls.push('a'));
    abort.addEventListener('abort', removed);
    abort.addEventListener('abort', () => calls.push('b'));
    abort.removeEventListener('abort', removed);
    abort.abort(new Error('gone'));
    abort.abort(new Error('again'));
    abort.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a', 'b']);
    expect(abort.aborted).toBe(true);
    expect((abort.reason as Error).message).toBe('gone');
  });

  it('gives a real AbortSignal that follows it, made before or after the abort', () => {
    const early = new LightAbort();
    const signal = early.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    early.abort();
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('AbortError');

    const late = new LightAbort();
    late.abort('why');
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe('why');
  });

  it('is taken by events.once as its signal', async () => {
    const abort = new LightAbort();
    const emitter = new (await import('node:events')).EventEmitter();
    const waiting = once(emitter, 'never', { signal: abort as unknown as AbortSignal });
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });

  describe('as the signal of an undici request', () => {
    let server: Server;
    let url: string;
    const closed: string[] = [];
    beforeAll(async () => {
      // Answers headers, then never ends the body: only an abort ends the request.
      server = createServer((req, res) => {
        req.socket.once('close', () => closed.push(req.url ?? ''));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('ends the request and its socket when aborted mid-body', async () => {
      const abort = new LightAbort();
      const response = await request(`${url}/mid-body`, { signal: abort as unknown as AbortSignal });
      const reading = response.body.text();
      abort.abort(new Error('client left'));
      await expect(reading).rejects.toThrow('client left');
      for (let i = 0; i < 100 && !closed.includes('/mid-body'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(closed).toContain('/mid-body');
    });

    it('refuses to start when already aborted', async () => {
      const abort = new LightAbort();
      abort.abort(new Error('already gone'));
      await expect(request(`${url}/never`, { signal: abort as unknown as AbortSignal })).rejects.toThrow('already gone');
    });
  });
});
