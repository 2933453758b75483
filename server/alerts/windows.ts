/**
 * Recent answers per model and per provider, for error-rate and p95 rules: a
 * bounded list of (time, error, latency) samples, pruned by age. Fed from
 * every instance's request log rows (the event bus), so the instance that
 * sends alerts sees all traffic.
 */
export interface Sample {
  at: number;
  error: boolean;
  latencyMs: number;
}

const MAX_SAMPLES = 5_000;
const MAX_AGE_MS = 86_400_000;
const FIRST_CAPACITY = 64;

/**
 * The newest samples of one name, oldest first, in a ring of typed arrays: a
 * request adds three numbers, not an object that would live (and be copied by
 * every young-generation GC) until 5,000 newer ones push it out. The ring
 * grows by doubling up to MAX_SAMPLES, so a name seen rarely stays small.
 */
class SampleRing {
  private at = new Float64Array(FIRST_CAPACITY);
  private latency = new Float64Array(FIRST_CAPACITY);
  private error = new Uint8Array(FIRST_CAPACITY);
  /** Index of the oldest sample kept. */
  private head = 0;
  private count = 0;

  push(at: number, error: boolean, latencyMs: number): void {
    if (this.count === this.at.length && this.count < MAX_SAMPLES) this.grow();
    const capacity = this.at.length;
    const slot = (this.head + this.count) % capacity;
    this.at[slot] = at;
    this.latency[slot] = latencyMs;
    this.error[slot] = error ? 1 : 0;
    if (this.count < capacity) this.count++;
    else this.head = (this.head + 1) % capacity;
  }

  dropOlderThan(at: number): void {
    while (this.count > 0 && this.at[this.head] < at) {
      this.head = (this.head + 1) % this.at.length;
      this.count--;
    }
  }

  since(at: number): Sample[] {
    const out: Sample[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.at.length;
      if (this.at[slot] >= at) out.push({ at: this.at[slot], error: this.error[slot] === 1, latencyMs: this.latency[slot] });
    }
    return out;
  }

  private grow(): void {
    const capacity = Math.min(this.at.length * 2, MAX_SAMPLES);
    const at = new Float64Array(capacity);
    const latency = new Float64Array(capacity);
    const error = new Uint8Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.at.length;
      at[i] = this.at[slot];
      latency[i] = this.latency[slot];
      error[i] = this.error[slot];
    }
    this.at = at;
    this.latency = latency;
    this.error = error;
    this.head = 0;
  }
}

export type TrafficScope = 'model' | 'provider';

export class TrafficWindows {
  private readonly byScope: Record<TrafficScope, Map<string, SampleRing>> = { model: new Map(), provider: new Map() };

  add(scope: TrafficScope, name: string, at: number, error: boolean, latencyMs: number): void {
    const rings = this.byScope[scope];
    let ring = rings.get(name);
    if (!ring) rings.set(name, (ring = new SampleRing()));
    ring.push(at, error, latencyMs);
  }

  /** Names seen in a scope with their samples of the last `windowMs`. */
  *recent(scope: TrafficScope, windowMs: number, now: number): Generator<{ name: string; samples: Sample[] }> {
    for (const [name, ring] of this.byScope[scope]) {
      ring.dropOlderThan(now - MAX_AGE_MS);
      const samples = ring.since(now - windowMs);
      if (samples.length) yield { name, samples };
    }
  }
}

export function errorRate(samples: Sample[]): number {
  return samples.filter((s) => s.error).length / samples.length;
}

/** Nearest-rank 95th percentile. */
export function p95(samples: Sample[]): number {
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}
