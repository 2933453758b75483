/**
 * Recent answers per model and per provider, for error-rate and p95 rules: a
 * bounded list of (time, status, latency) samples, pruned by age. Fed from
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

export class TrafficWindows {
  private readonly byKey = new Map<string, Sample[]>();

  add(scope: 'model' | 'provider', name: string, sample: Sample): void {
    const key = `${scope}:${name}`;
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push(sample);
    if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
  }

  /** Names seen in a scope with their samples of the last `windowMs`. */
  *recent(scope: 'model' | 'provider', windowMs: number, now: number): Generator<{ name: string; samples: Sample[] }> {
    const prefix = `${scope}:`;
    for (const [key, list] of this.byKey) {
      while (list.length && list[0].at < now - MAX_AGE_MS) list.shift();
      if (!key.startsWith(prefix)) continue;
      const from = now - windowMs;
      const samples = list.filter((s) => s.at >= from);
      if (samples.length) yield { name: key.slice(prefix.length), samples };
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
