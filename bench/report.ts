/**
 * The results: one JSON document (bench/results/latest.json), one printed
 * table, and the targets checked against the figures.
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { added, growth, ratio, type Summary } from './stats.js';
import type { ScenarioId, TargetName } from './scenarios.js';
import type { LeakResult, StreamsResult } from './memory.js';
import type { Pinning } from './pinning.js';

export interface TargetFigures {
  latency: Summary;
  throughput: Summary;
  firstByte?: Summary;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  targets: Record<TargetName, TargetFigures>;
  /** gateway − direct at one connection (ms). */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  addedFirstByteP50Ms: number | null;
  /** gateway − bare proxy time to first byte, p50 (ms). */
  firstByteOverBareMs: number | null;
  /** gateway RPS / bare proxy RPS under load. */
  gatewayToBareRps: number | null;
  /** gateway CPU per request / bare proxy CPU per request. */
  gatewayToBareCpu: number | null;
}

export interface MemoryResult {
  /** Right after start and configuration (a few seconds in). */
  startRssBytes: number;
  /** Idle: after a stretch without traffic, once V8's memory reducer has run (what an idle instance holds). */
  idleRssBytes: number;
  idleAfterSeconds: number;
  /** Gateway peak RSS (VmHWM) after the leak check and every scenario, before the open streams. */
  peakRssBytes: number;
  bare: { idleRssBytes: number; peakRssBytes: number; streamsPeakRssBytes: number };
  streams: StreamsResult & { chunks: number; delayMs: number };
  leak: LeakResult & { growth: number | null };
}

export interface TargetCheck {
  name: string;
  measured: number | null;
  goal: string;
  met: boolean;
}

export interface BenchResult {
  version: 2;
  quick: boolean;
  startedAt: string;
  seconds: number;
  machine: { cpuModel: string; cores: number; memoryBytes: number; platform: string; node: string };
  pinning: Pinning;
  settings: {
    latencyConnections: 1;
    throughputConnections: number;
    latencySeconds: number;
    throughputSeconds: number;
    rounds: number;
    firstByteRequests: number;
  };
  scenarios: ScenarioResult[];
  memory: MemoryResult;
  targets: TargetCheck[];
}

export function machineInfo(): BenchResult['machine'] {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    platform: `${platform()} ${release()}`,
    node: process.version,
  };
}

export function scenarioResult(id: ScenarioId, title: string, targets: Record<TargetName, TargetFigures>): ScenarioResult {
  const { direct, bare, gateway } = targets;
  return {
    id,
    title,
    targets,
    addedP50Ms: added(gateway.latency.p50, direct.latency.p50),
    addedP99Ms: added(gateway.latency.p99, direct.latency.p99),
    addedFirstByteP50Ms: added(gateway.firstByte?.p50, direct.firstByte?.p50),
    firstByteOverBareMs: added(gateway.firstByte?.p50, bare.firstByte?.p50),
    gatewayToBareRps: ratio(gateway.throughput.rps, bare.throughput.rps),
    gatewayToBareCpu: ratio(gateway.throughput.cpuUsPerRequest, bare.throughput.cpuUsPerRequest),
  };
}

const MB = 1024 * 1024;

/** The targets, each with the figure it is judged on. */
export function checkTargets(scenarios: ScenarioResult[], memory: MemoryResult): TargetCheck[] {
  const s = (id: ScenarioId) => scenarios.find((x) => x.id === id);
  const atMost = (name: string, measured: number | null | undefined, max: number, unit: string): TargetCheck => ({
    name,
    measured: measured ?? null,
    goal: `≤ ${max}${unit}`,
    met: measured != null && measured <= max,
  });
  const atLeast = (name: string, measured: number | null | undefined, min: number, unit: string): TargetCheck => ({
    name,
    measured: measured ?? null,
    goal: `≥ ${min}${unit}`,
    met: measured != null && measured >= min,
  });
  const mb = (bytes: number) => bytes / MB;
  return [
    atLeast('passthrough throughput, gateway / bare proxy', s('passthrough')?.gatewayToBareRps, 0.7, ''),
    atLeast('streaming throughput, gateway / bare proxy', s('stream')?.gatewayToBareRps, 0.7, ''),
    atLeast('translated streaming throughput, gateway / bare proxy', s('stream-cross')?.gatewayToBareRps, 0.6, ''),
    atMost('CPU per passthrough request, gateway / bare proxy', s('passthrough')?.gatewayToBareCpu, 1.6, '×'),
    atMost('passthrough added latency p50 (1 connection)', s('passthrough')?.addedP50Ms, 0.4, ' ms'),
    atMost('passthrough added latency p99 (1 connection)', s('passthrough')?.addedP99Ms, 2, ' ms'),
    atMost('stream time to first byte above the bare proxy (p50)', s('stream')?.firstByteOverBareMs, 0.3, ' ms'),
    // A hit answers without the upstream round trip: it must cost less than the bare proxy's call.
    atMost('cache hit p50 over the bare proxy round trip (1 connection)', cacheHitOverBare(s('cache-hit')), 0, ' ms'),
    atMost('idle RSS (MB)', mb(memory.idleRssBytes), 110, ' MB'),
    atMost('peak RSS under the bench (MB)', mb(memory.peakRssBytes), 200, ' MB'),
    atMost(`peak RSS with ${memory.streams.streams} open streams (MB)`, mb(memory.streams.peakRssBytes), 300, ' MB'),
    atMost(`RSS growth ${memory.leak.firstRequests} → ${memory.leak.totalRequests} requests`, memory.leak.growth, 0.1, ' (10%)'),
  ];
}

/** Gateway p50 of the cache-hit scenario minus the bare proxy's p50 of the same request (negative: the hit is cheaper). */
function cacheHitOverBare(s: ScenarioResult | undefined): number | null {
  const gateway = s?.targets.gateway.latency.p50;
  const bare = s?.targets.bare.latency.p50;
  return gateway == null || bare == null ? null : gateway - bare;
}

export function memoryResult(m: Omit<MemoryResult, 'leak'> & { leak: LeakResult }): MemoryResult {
  return { ...m, leak: { ...m.leak, growth: growth(m.leak.rssAfterFirstBytes, m.leak.rssAfterTotalBytes) } };
}

const ms = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const signedMs = (v: number | null | undefined) => (v == null ? '–' : `${v >= 0 ? '+' : ''}${ms(v)}`);
const int = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '–' : Math.round(v).toString());
const pct = (v: number | null | undefined) => (v == null ? '–' : `${(v * 100).toFixed(0)}%`);

function markdown(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The headline comparison in the shape of the README's table: bare proxy vs gateway. */
function summaryTable(result: BenchResult): string[] {
  const s = (id: ScenarioId) => result.scenarios.find((x) => x.id === id);
  const m = result.memory;
  const c = result.settings.throughputConnections;
  const row = (target: 'bare' | 'gateway'): string[] => {
    const rps = (id: ScenarioId) => {
      const v = s(id)?.targets[target].throughput.rps;
      return target === 'gateway' ? `${int(v)} (${pct(s(id)?.gatewayToBareRps)})` : int(v);
    };
    const p = s('passthrough')?.targets;
    const st = s('stream')?.targets;
    const cpu = p?.[target].throughput.cpuUsPerRequest;
    const addedOf = (q: 'p50' | 'p99') => signedMs(added(p?.[target].latency[q], p?.direct.latency[q]));
    return [
      target === 'bare' ? 'bare Node proxy' : 'this gateway',
      rps('passthrough'),
      rps('stream'),
      rps('stream-cross'),
      target === 'gateway' ? `${int(cpu)} (${s('passthrough')?.gatewayToBareCpu?.toFixed(2) ?? '–'}×)` : int(cpu),
      addedOf('p50'),
      addedOf('p99'),
      signedMs(added(st?.[target].firstByte?.p50, st?.direct.firstByte?.p50)),
      target === 'bare'
        ? `${(m.bare.idleRssBytes / MB).toFixed(0)} / ${(m.bare.peakRssBytes / MB).toFixed(0)} / ${(m.bare.streamsPeakRssBytes / MB).toFixed(0)} MB`
        : `${(m.idleRssBytes / MB).toFixed(0)} / ${(m.peakRssBytes / MB).toFixed(0)} / ${(m.streams.peakRssBytes / MB).toFixed(0)} MB`,
    ];
  };
  return markdown(
    [
      '',
      `RPS @${c} conns`,
      'stream RPS',
      'translated stream RPS',
      'CPU µs / request',
      'added p50 @1 conn',
      'added p99 @1 conn',
      'stream TTFB added',
      `RSS idle / peak / ${m.streams.streams} streams`,
    ],
    [row('bare'), row('gateway')],
  );
}

/** The side-by-side tables as Markdown (prints well in a terminal and pastes into the README). */
export function formatTable(result: BenchResult): string {
  const c = result.settings.throughputConnections;
  const header = [
    'scenario',
    'target',
    'p50 ms (1c)',
    'p99 ms (1c)',
    'TTFB p50 ms',
    `RPS (${c}c)`,
    `p99 ms (${c}c)`,
    'CPU µs / req',
    'added p50 / p99 ms',
    'gateway / bare RPS',
  ];
  const rows: string[][] = [];
  for (const s of result.scenarios) {
    for (const target of ['direct', 'bare', 'gateway'] as const) {
      const f = s.targets[target];
      const isGw = target === 'gateway';
      rows.push([
        target === 'direct' ? s.id : '',
        target,
        ms(f.latency.p50),
        ms(f.latency.p99),
        f.firstByte ? ms(f.firstByte.p50) : '',
        int(f.throughput.rps),
        ms(f.throughput.p99),
        int(f.throughput.cpuUsPerRequest),
        isGw ? `${signedMs(s.addedP50Ms)} / ${signedMs(s.addedP99Ms)}` : '',
        isGw ? pct(s.gatewayToBareRps) : '',
      ]);
    }
  }
  const m = result.memory;
  const memoryLine =
    `gateway RSS ${(m.startRssBytes / MB).toFixed(0)} MB after start, idle ${(m.idleRssBytes / MB).toFixed(0)} MB after ${m.idleAfterSeconds} s without traffic, peak ${(m.peakRssBytes / MB).toFixed(0)} MB under the bench; ` +
    `peak ${(m.streams.peakRssBytes / MB).toFixed(0)} MB with ${m.streams.streams} concurrent streams ` +
    `(${m.streams.chunks} chunks, ${m.streams.delayMs} ms apart; ${m.streams.completed} completed in ${m.streams.seconds.toFixed(1)} s); ` +
    `${(m.leak.rssAfterFirstBytes / MB).toFixed(0)} MB after ${m.leak.firstRequests} requests, ${(m.leak.rssAfterTotalBytes / MB).toFixed(0)} MB after ${m.leak.totalRequests} (${pct(m.leak.growth)} growth)`;
  const targetLines = result.targets.map(
    (t) => `${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured == null ? '–' : t.measured.toFixed(t.measured < 10 ? 2 : 0)} (goal ${t.goal})`,
  );
  const mc = result.machine;
  const pin = result.pinning.serverCores
    ? `gateway and bare proxy pinned to core ${result.pinning.serverCores}, load generator and mock to ${result.pinning.loadCores}`
    : `not pinned (${result.pinning.reason})`;
  return [
    `${mc.cpuModel}, ${mc.cores} cores, ${(mc.memoryBytes / 1024 ** 3).toFixed(0)} GB, Node ${mc.node}; ${pin}${result.quick ? ' — QUICK run (short, smaller counts: not comparable)' : ''}`,
    '',
    ...summaryTable(result),
    '',
    ...markdown(header, rows),
    '',
    memoryLine,
    '',
    ...targetLines,
  ].join('\n');
}

/** Writes the JSON and reads it back: the file must parse and hold every scenario with figures. */
export function writeResult(file: string, result: BenchResult): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const problems = validateResult(JSON.parse(readFileSync(file, 'utf8')));
  if (problems.length) throw new Error(`${file} is not a valid result:\n  ${problems.join('\n  ')}`);
}

/** The value at `keys` inside parsed JSON, or undefined where the path does not exist. */
function at(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** What a usable result must contain; an empty list means valid. */
export function validateResult(doc: unknown): string[] {
  const problems: string[] = [];
  const num = (v: unknown, where: string, positive = true) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v <= 0)) problems.push(`${where} is not a positive number: ${JSON.stringify(v)}`);
  };
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
  if (at(doc, 'version') !== 2) problems.push('version must be 2');
  if (!at(doc, 'machine', 'cpuModel') || !at(doc, 'machine', 'node')) problems.push('machine info missing');
  const scenarios = list(at(doc, 'scenarios'));
  if (scenarios.length === 0) problems.push('no scenarios');
  for (const s of scenarios) {
    const id = text(at(s, 'id'));
    for (const target of ['direct', 'bare', 'gateway']) {
      for (const mode of ['latency', 'throughput'] as const) {
        num(at(s, 'targets', target, mode, 'rps'), `${id}.${target}.${mode}.rps`);
        num(at(s, 'targets', target, mode, 'p50'), `${id}.${target}.${mode}.p50`);
        num(at(s, 'targets', target, mode, 'p99'), `${id}.${target}.${mode}.p99`);
        const errors = at(s, 'targets', target, mode, 'errors');
        if (errors !== 0) problems.push(`${id}.${target}.${mode} had ${text(errors)} failed requests`);
      }
    }
  }
  // CPU time comes from /proc: required wherever it exists.
  const linux = text(at(doc, 'machine', 'platform') ?? '').startsWith('linux');
  for (const s of scenarios) {
    for (const target of ['bare', 'gateway']) {
      if (linux) num(at(s, 'targets', target, 'throughput', 'cpuUsPerRequest'), `${text(at(s, 'id'))}.${target}.throughput.cpuUsPerRequest`);
    }
  }
  num(at(doc, 'memory', 'startRssBytes'), 'memory.startRssBytes');
  num(at(doc, 'memory', 'idleRssBytes'), 'memory.idleRssBytes');
  num(at(doc, 'memory', 'peakRssBytes'), 'memory.peakRssBytes');
  num(at(doc, 'memory', 'streams', 'peakRssBytes'), 'memory.streams.peakRssBytes');
  const failedStreams = at(doc, 'memory', 'streams', 'failed');
  if (failedStreams !== 0) problems.push(`memory.streams: ${text(failedStreams)} streams failed`);
  num(at(doc, 'memory', 'leak', 'rssAfterTotalBytes'), 'memory.leak.rssAfterTotalBytes');
  const leakErrors = at(doc, 'memory', 'leak', 'errors');
  if (leakErrors !== 0) problems.push(`memory.leak had ${text(leakErrors)} failed requests`);
  if (list(at(doc, 'targets')).length === 0) problems.push('no target checks');
  return problems;
}
