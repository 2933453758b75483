/**
 * Polling for work that finishes on its own time (log rows written after the
 * response, a socket closed by another process, a timer-driven check).
 */

export interface WaitOptions {
  /** How long to keep polling before failing. Default 5 s. */
  timeoutMs?: number;
  /** Pause between two polls. Default 25 ms. */
  intervalMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

type Met<T> = Exclude<T, undefined | null | false>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `condition` until it returns a value other than `undefined`, `null` or
 * `false`, and resolves with that value (so a probe can hand back what it found).
 * A condition that throws fails the wait at once.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Met<T>> {
  const { timeoutMs = 5_000, intervalMs = 25, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value as Met<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Retries `check` until it stops throwing and resolves with its result; after
 * the timeout the last error is thrown as it was (so an assertion's message shows).
 */
export async function eventually<T>(check: () => Promise<T> | T, options: Omit<WaitOptions, 'what'> = {}): Promise<T> {
  const { timeoutMs = 5_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
