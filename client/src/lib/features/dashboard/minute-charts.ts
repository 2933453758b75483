import { tr } from '$lib/i18n';
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
      { label: tr('minuteCharts.successful'), data: points.map((p) => p.requests - p.errors), color: '--color-primary' },
      { label: tr('minuteCharts.errors'), data: points.map((p) => p.errors), color: '--color-danger' },
    ],
    latency: [
      { label: 'P50', data: points.map((p) => p.p50LatencyMs ?? null), color: '--color-info' },
      { label: 'P95', data: points.map((p) => p.p95LatencyMs ?? null), color: '--color-warning' },
    ],
    tokens: [
      { label: tr('minuteCharts.input'), data: points.map((p) => p.inputTokens), color: '--color-info' },
      { label: tr('minuteCharts.output'), data: points.map((p) => p.outputTokens), color: '--color-primary' },
    ],
    summaries: {
      traffic: tr('minuteCharts.requestsAndErrorsInThe', { value: formatInt(requests), value2: formatInt(errors), minutes }),
      latency: p95.length
        ? tr('minuteCharts.highestP95LatencyInThe', { minutes, value: formatInt(Math.max(...p95)) })
        : tr('minuteCharts.noRequestsInTheLast', { minutes }),
      tokens: tr('minuteCharts.inputAndOutputTokensIn', { value: formatInt(input), value2: formatInt(output), minutes }),
    },
  };
}
