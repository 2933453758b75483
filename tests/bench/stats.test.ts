import { describe, expect, it } from 'vitest';
import { added, growth, percentile, ratio, SampleBuffer, summarize } from '../../bench/stats.js';
import { validateResult } from '../../bench/report.js';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(samples, 50)).toBe(5);
    expect(percentile(samples, 90)).toBe(9);
    expect(percentile(samples, 99)).toBe(10);
    expect(percentile(samples, 100)).toBe(10);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([0.25], 99)).toBe(0.25);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(samples, 101)).toThrow(RangeError);
  });

  it('keeps sub-millisecond precision and does not reorder the caller’s samples', () => {
    const samples = [0.31, 0.12, 0.57];
    expect(percentile(samples, 50)).toBe(0.31);
    expect(samples).toEqual([0.31, 0.12, 0.57]);
  });

  it('summarises a run: p50, p99 over 1,000 samples and requests per second', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000 reversed
    const s = summarize(samples, 2, 4);
    expect(s).toEqual({ requests: 1000, errors: 2, seconds: 4, rps: 250, p50: 500, p99: 990 });
    expect(summarize([], 0, 0).rps).toBeNaN();
  });

  it('computes ratios, added latency and growth, null when a side is missing', () => {
    expect(ratio(800, 1000)).toBe(0.8);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(undefined, 5)).toBeNull();
    expect(ratio(Number.NaN, 5)).toBeNull();
    expect(added(0.9, 0.4)).toBeCloseTo(0.5, 10);
    expect(added(0.3, 0.4)).toBeCloseTo(-0.1, 10);
    expect(added(null, 0.4)).toBeNull();
    expect(growth(100, 110)).toBeCloseTo(0.1, 10);
    expect(growth(100, 95)).toBeCloseTo(-0.05, 10);
  });

  it('grows a sample buffer past its initial size and appends another', () => {
    const a = new SampleBuffer();
    for (let i = 0; i < 10_000; i++) a.push(i);
    const b = new SampleBuffer();
    b.push(-1);
    b.append(a);
    expect(b.length).toBe(10_001);
    expect(b.values()[0]).toBe(-1);
    expect(b.values()[10_000]).toBe(9_999);
    expect(percentile(b.values(), 50)).toBe(4_999);
  });

  it('rejects a result file without figures or with failed requests', () => {
    expect(validateResult({})).toContain('version must be 2');
    const figures = { requests: 10, errors: 0, seconds: 1, rps: 10, p50: 1, p99: 2 };
    const target = { latency: figures, throughput: { ...figures, cpuUsPerRequest: 250 } };
    const doc = {
      version: 2,
      machine: { cpuModel: 'cpu', node: 'v20', platform: 'linux 6.1' },
      scenarios: [{ id: 'passthrough', targets: { direct: target, bare: target, gateway: target } }],
      memory: { startRssBytes: 1, idleRssBytes: 1, peakRssBytes: 2, streams: { peakRssBytes: 2, failed: 0 }, leak: { rssAfterTotalBytes: 3, errors: 0 } },
      targets: [{ name: 't', measured: 1, goal: '≤ 1', met: true }],
    };
    expect(validateResult(doc)).toEqual([]);
    const failing = structuredClone(doc);
    failing.scenarios[0].targets.gateway = { latency: { ...figures, errors: 3 }, throughput: { ...figures, p99: Number.NaN } } as typeof target;
    expect(validateResult(failing)).toEqual([
      'passthrough.gateway.latency had 3 failed requests',
      'passthrough.gateway.throughput.p99 is not a positive number: null',
      'passthrough.gateway.throughput.cpuUsPerRequest is not a positive number: undefined',
    ]);
  });
});
