import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter, TallyHistogram } from '../../server/observability/tally-metrics.js';

/** Label values as clients might make them: quotes, backslashes, newlines, non-ASCII, empty. */
const labelValue = fc.oneof(fc.constantFrom('gpt-4o', '', 'a"b', 'c\\d', 'e\nf', '通义千问'), fc.string({ maxLength: 8 }));
const BUCKETS = [0.01, 0.1, 1, 10];

describe('tally metrics', () => {
  it('expose exactly what prom-client exposes for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ model: labelValue, status: fc.constantFrom('200', '429', '500'), value: fc.double({ min: 0, max: 50, noNaN: true }) }), {
          maxLength: 40,
        }),
        async (observations) => {
          const theirs = new Registry();
          const ours = new Registry();
          const histogram = new Histogram({ name: 'h_seconds', help: 'a histogram', labelNames: ['model', 'status'], buckets: BUCKETS, registers: [theirs] });
          const counter = new Counter({ name: 'c_total', help: 'a counter', labelNames: ['model', 'status'], registers: [theirs] });
          const tallyHistogram = new TallyHistogram('h_seconds', 'a histogram', ['model', 'status'] as const, BUCKETS, ours);
          const tallyCounter = new TallyCounter('c_total', 'a counter', ['model', 'status'] as const, ours);
          for (const { model, status, value } of observations) {
            histogram.labels(model, status).observe(value);
            counter.labels(model, status).inc(value);
            tallyHistogram.labels(model, status).observe(value);
            tallyCounter.labels(model, status).inc(value);
          }
          expect(await ours.metrics()).toBe(await theirs.metrics());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps one cell per label set', () => {
    const counter = new TallyCounter('n_total', 'n', ['a'] as const, new Registry());
    expect(counter.labels('x')).toBe(counter.labels('x'));
    expect(counter.labels('x')).not.toBe(counter.labels('y'));
  });
});
