/** The stream as a whole lasted longer than its total deadline (the idle timeout alone never fires on a trickle). */
export class StreamDeadlineError extends Error {
  constructor(readonly totalMs: number) {
    super(`The upstream stream did not finish within ${totalMs} ms`);
  }
}

export type DestroyableBody = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

/**
 * The body's chunks under a total deadline (0 = none): when it passes the body
 * is destroyed, so a pending read ends at once, and reading fails with
 * `StreamDeadlineError` (not the error undici reports for the destroyed body).
 * The timer is cleared however the reading ends.
 */
export async function* chunksWithin(body: DestroyableBody, totalMs: number): AsyncGenerator<Uint8Array> {
  let expired: StreamDeadlineError | undefined;
  const deadline =
    totalMs > 0
      ? setTimeout(() => {
          expired = new StreamDeadlineError(totalMs);
          body.destroy?.(expired);
        }, totalMs)
      : undefined;
  try {
    for await (const chunk of body) {
      if (expired) throw expired;
      yield chunk;
    }
    if (expired) throw expired;
  } catch (error) {
    throw expired ?? error;
  } finally {
    if (deadline) clearTimeout(deadline);
  }
}
