/**
 * Load generation. autocannon drives every target with the same settings; the
 * harness records each response's time itself (autocannon's histogram keeps
 * whole milliseconds, too coarse for sub-millisecond overhead). Time to first
 * byte is probed separately with sequential undici requests.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { cpuMicros } from './cpu.js';
import { SampleBuffer, summarize, type Summary } from './stats.js';

export interface HttpCall {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Measurement {
  samples: SampleBuffer;
  errors: number;
  seconds: number;
  /** CPU time the measured server process spent during the run (µs), when it was measured. */
  cpuMicros: number | null;
}

export function emptyMeasurement(): Measurement {
  return { samples: new SampleBuffer(), errors: 0, seconds: 0, cpuMicros: null };
}

/** Adds one run's samples to an accumulated measurement (rounds of one target). */
export function accumulate(into: Measurement, run: Measurement): void {
  into.samples.append(run.samples);
  into.errors += run.errors;
  into.seconds += run.seconds;
  if (run.cpuMicros !== null) into.cpuMicros = (into.cpuMicros ?? 0) + run.cpuMicros;
}

/** Figures of a measurement; with CPU time, also CPU µs per successful request. */
export function summaryOf(m: Measurement): Summary {
  const summary = summarize(m.samples.values(), m.errors, m.seconds);
  return m.cpuMicros === null || summary.requests === 0 ? summary : { ...summary, cpuUsPerRequest: m.cpuMicros / summary.requests };
}

/**
 * One autocannon run, for `seconds` or for `amount` requests; with `cpuPid`,
 * the CPU time that process spent meanwhile is measured too.
 */
export async function drive(call: HttpCall, connections: number, limit: { seconds: number } | { amount: number }, cpuPid?: number): Promise<Measurement> {
  const cpuBefore = cpuPid === undefined ? null : await cpuMicros(cpuPid);
  const run = await autocannonRun(call, connections, limit);
  const cpuAfter = cpuPid === undefined ? null : await cpuMicros(cpuPid);
  return { ...run, cpuMicros: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null };
}

function autocannonRun(call: HttpCall, connections: number, limit: { seconds: number } | { amount: number }): Promise<Omit<Measurement, 'cpuMicros'>> {
  const samples = new SampleBuffer();
  let non2xx = 0;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: call.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...call.headers },
        body: call.body,
        connections,
        pipelining: 1,
        timeout: 30,
        // autocannon ends a run on its next sample tick: keep ticks short so a run lasts what was asked.
        sampleInt: 100,
        ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount }),
      },
      (error, result) => {
        if (error) return reject(error);
        const seconds = (performance.now() - started) / 1000;
        resolve({ samples, errors: non2xx + result.errors + result.timeouts, seconds });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) samples.push(responseTimeMs);
      else non2xx++;
    });
  });
}

const probeAgent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });

/**
 * Time to first body byte over one keep-alive connection, `count` requests in
 * a row; the rest of each body is read and dropped.
 */
export async function probeFirstByte(call: HttpCall, count: number): Promise<Measurement> {
  const samples = new SampleBuffer();
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await request(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...call.headers },
      body: call.body,
      dispatcher: probeAgent,
    });
    let first = true;
    for await (const _chunk of res.body) {
      if (first) {
        first = false;
        if (res.statusCode < 300) samples.push(performance.now() - t0);
      }
    }
    if (res.statusCode >= 300) errors++;
  }
  return { samples, errors, seconds: (performance.now() - started) / 1000, cpuMicros: null };
}

export async function closeProbes(): Promise<void> {
  await probeAgent.close();
}
