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

/** The newest samples of one name, oldest first: `start` marks the oldest kept, so a push past the bound is O(1) (one compaction per MAX_SAMPLES pushes). */
class SampleList {
  private items: Sample[] = [];
  private start = 0;

  push(sample: Sample): void {
    this.items.push(sample);
    if (this.items.length - this.start > MAX_SAMPLES) this.start++;
    if (this.start >= MAX_SAMPLES) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  dropOlderThan(at: number): void {
    while (this.start < this.items.length && this.items[this.start].at < at) this.start++;
  }

  since(at: number): Sample[] {
    const out: Sample[] = [];
    for (let i = this.start; i < this.items.length; i++) if (this.items[i].at >= at) out.push(this.items[i]);
    return out;
  }
}

export class TrafficWindows {
  private readonly byKey = new Map<string, SampleList>();

  add(scope: 'model' | 'provider', name: string, sample: Sample): void {
    const key = `${scope}:${name}`;
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = new SampleList()));
    list.push(sample);
  }

  /** Names seen in a scope with their samples of the last `windowMs`. */
  *recent(scope: 'model' | 'provider', windowMs: number, now: number): Generator<{ name: string; samples: Sample[] }> {
    const prefix = `${scope}:`;
    for (const [key, list] of this.byKey) {
      list.dropOlderThan(now - MAX_AGE_MS);
      if (!key.startsWith(prefix)) continue;
      const samples = list.since(now - windowMs);
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
