/**
 * The harness's own statistics. Latencies are collected per response (in ms,
 * sub-millisecond precision) so percentiles do not depend on a histogram's
 * bucket width; autocannon's own histogram rounds to whole milliseconds.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new RangeError(`percentile out of range: ${p}`);
  return percentileOfSorted(Float64Array.from(samples).sort(), p);
}

/** Nearest-rank percentile of samples already sorted ascending. */
function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

export interface Summary {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per successful request (µs), when measured. */
  cpuUsPerRequest?: number;
}

/** Summarises one measurement: successful samples, failed count, wall time. */
export function summarize(latenciesMs: ArrayLike<number>, errors: number, seconds: number): Summary {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    requests: sorted.length,
    errors,
    seconds,
    rps: seconds > 0 ? sorted.length / seconds : Number.NaN,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
  };
}

/** a / b, or null when either side is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** gateway − direct, or null when either side is missing. */
export function added(gateway: number | null | undefined, direct: number | null | undefined): number | null {
  if (gateway == null || direct == null || !Number.isFinite(gateway) || !Number.isFinite(direct)) return null;
  return gateway - direct;
}

/** (after − before) / before: the relative growth used by the leak check. */
export function growth(before: number, after: number): number | null {
  return ratio(after - before, before);
}

/** A growable list of float samples without per-sample allocation. */
export class SampleBuffer {
  private data = new Float64Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  append(other: SampleBuffer): void {
    for (let i = 0; i < other.length; i++) this.push(other.data[i]);
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
