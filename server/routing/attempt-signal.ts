import { LightAbort, type AbortLike } from '../http/light-abort.js';

/**
 * The abort signal of one routing attempt: fires when the client leaves, or when
 * the attempt's time runs out before the upstream has answered. Once it has
 * answered (`answered()`), only the client and the provider's idle timeout can
 * end it, so a long stream is never cut by the route's deadline. A plain timer
 * and controller: cheaper on the hot path than AbortSignal.any/timeout (and no AbortSignal at all: http/light-abort.ts).
 */
export interface AttemptSignal {
  readonly signal: AbortLike;
  readonly timedOut: boolean;
  answered(): void;
  dispose(): void;
}

export function attemptSignal(client: AbortLike, timeoutMs: number): AttemptSignal {
  const controller = new LightAbort();
  let timedOut = false;
  const onClientAbort = () => controller.abort(client.reason);
  client.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort(new Error('attempt timed out'));
    },
    Math.max(1, timeoutMs),
  );
  return {
    signal: controller,
    get timedOut() {
      return timedOut;
    },
    answered: () => clearTimeout(timer),
    dispose: () => {
      clearTimeout(timer);
      client.removeEventListener('abort', onClientAbort);
    },
  };
}
