import type { ChartSeries } from '$lib/components/charts/types';
import { formatInt } from '$lib/format';
import { minuteLabel } from './time-window';
import type { MinutePoint } from './types';

export interface MinuteCharts {
  labels: string[];
  traffic: ChartSeries[];
  latency: ChartSeries[];
  tokens: ChartSeries[];
  /** Totals over the window, in words, for the charts' accessible fallback. */
  summaries: { traffic: string; latency: string; tokens: string };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The per-minute usage series as chart data. Successes and errors stack to the request count. */
export function minuteCharts(points: MinutePoint[]): MinuteCharts {
  const requests = sum(points.map((p) => p.requests));
  const errors = sum(points.map((p) => p.errors));
  const input = sum(points.map((p) => p.inputTokens));
  const output = sum(points.map((p) => p.outputTokens));
  const p95 = points.map((p) => p.p95LatencyMs).filter((v): v is number => v !== null && v !== undefined);
  const minutes = points.length;
  return {
    labels: points.map((p) => minuteLabel(p.at)),
    traffic: [
      { label: 'Successful', data: points.map((p) => p.requests - p.errors), color: '--color-primary' },
      { label: 'Errors', data: points.map((p) => p.errors), color: '--color-danger' },
    ],
    latency: [
      { label: 'P50', data: points.map((p) => p.p50LatencyMs ?? null), color: '--color-info' },
      { label: 'P95', data: points.map((p) => p.p95LatencyMs ?? null), color: '--color-warning' },
    ],
    tokens: [
      { label: 'Input', data: points.map((p) => p.inputTokens), color: '--color-info' },
      { label: 'Output', data: points.map((p) => p.outputTokens), color: '--color-primary' },
    ],
    summaries: {
      traffic: `${formatInt(requests)} requests and ${formatInt(errors)} errors in the last ${minutes} minutes`,
      latency: p95.length ? `Highest P95 latency in the last ${minutes} minutes: ${formatInt(Math.max(...p95))} ms` : `No requests in the last ${minutes} minutes`,
      tokens: `${formatInt(input)} input and ${formatInt(output)} output tokens in the last ${minutes} minutes`,
    },
  };
}
