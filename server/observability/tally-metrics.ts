import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms of the request path as plain numbers, read by
 * prom-client only when /metrics is scraped. prom-client validates and hashes
 * the labels on every `inc` and `observe`, even through a `labels()` child,
 * and the request path pays that once per request and metric; here a child is
 * looked up once per label set and an observation is a few additions. The
 * exposition is prom-client's own (these are registered as its metrics).
 */

/** One counter series. */
export class CounterCell {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

/** One histogram series: per-bucket (not cumulative) counts, sum and count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

type Labels<L extends string> = Record<L, string>;
/** One exposed line: prom-client prints `labels`, then `sharedLabels` (a histogram's `le` first, as its own histograms do). */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
}
/** What prom-client's registry reads from a metric at scrape time. */
interface Exposition {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

/** The label sets of one metric, each with its cell, registered on a prom-client registry. */
abstract class TallyMetric<L extends string, Cell> {
  private readonly cells = new Map<string, { labels: Labels<L>; cell: Cell }>();
  abstract readonly type: Exposition['type'];
  readonly aggregator = 'sum' as const;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The cell of one label set, values in `labelNames` order; keep it for the next observation of the same set. */
  labels(...values: string[]): Cell {
    const key = values.join('\u0000');
    let found = this.cells.get(key);
    if (!found) {
      const labels = {} as Labels<L>;
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      found = { labels, cell: this.newCell() };
      this.cells.set(key, found);
    }
    return found.cell;
  }

  protected abstract newCell(): Cell;
  protected abstract samples(labels: Labels<L>, cell: Cell): Sample[];

  get(): Promise<Exposition> {
    const values: Sample[] = [];
    for (const { labels, cell } of this.cells.values()) values.push(...this.samples(labels, cell));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    this.cells.clear();
  }
}

export class TallyCounter<L extends string> extends TallyMetric<L, CounterCell> {
  readonly type = 'counter';

  protected newCell(): CounterCell {
    return new CounterCell();
  }

  protected samples(labels: Labels<L>, cell: CounterCell): Sample[] {
    return [{ labels, value: cell.value, metricName: this.name }];
  }
}

export class TallyHistogram<L extends string> extends TallyMetric<L, HistogramCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  protected newCell(): HistogramCell {
    return new HistogramCell(this.buckets);
  }

  /** As prom-client exposes a histogram: cumulative buckets, +Inf, then sum and count. */
  protected samples(labels: Labels<L>, cell: HistogramCell): Sample[] {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    const out: Sample[] = this.buckets.map((le, i) => {
      cumulative += cell.counts[i];
      return { labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket };
    });
    out.push(
      { labels: { le: '+Inf' }, sharedLabels: labels, value: cell.count, metricName: bucket },
      { labels: {}, sharedLabels: labels, value: cell.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: labels, value: cell.count, metricName: `${this.name}_count` },
    );
    return out;
  }
}
