export interface ChartSeries {
  label: string;
  /** One value per label; null leaves a gap (e.g. no latency in a minute without requests). */
  data: Array<number | null>;
  /** A colour token of the design system, e.g. `--color-danger`. */
  color: string;
}

export type ChartKind = 'bar' | 'line';
