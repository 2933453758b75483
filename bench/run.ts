/**
 * `npm run bench` — the gateway side by side with a direct call to a mock
 * upstream and with a bare Node.js proxy, on loopback. `-- --quick` is a short
 * smoke run (smaller counts); `-- --cpu-prof` writes a CPU profile of the
 * gateway to bench/results/profiles/. Prints one table and writes
 * bench/results/latest.json; exits non-zero when the run or its JSON is broken.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startBenchGateway, GATEWAY_MODELS, type BenchGateway } from './gateway.js';
import { accumulate, closeProbes, drive, emptyMeasurement, probeFirstByte, summaryOf, type Measurement } from './load.js';
import { leakCheck, peakDuringStreams, settledRss } from './memory.js';
import { startChild, stopAll, stopChildrenOnExit } from './processes.js';
import { checkTargets, formatTable, machineInfo, memoryResult, scenarioResult, writeResult, type BenchResult, type TargetFigures } from './report.js';
import { buildScenarios, gatewayChatCall, TARGETS, type Scenario, type TargetName } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

/** Full run ≈ 6 minutes; quick ≈ 30 s on an idle 2-core machine (smaller counts: a smoke test, not a measurement). */
const PLAN = quick
  ? { rounds: 1, latencySeconds: 0.4, throughputSeconds: 0.6, warmup: 50, firstByteRequests: 30, leak: [300, 1_500], streams: 200, streamChunks: 50, settleMs: 300 }
  : { rounds: 2, latencySeconds: 3, throughputSeconds: 5, warmup: 2_000, firstByteRequests: 300, leak: [10_000, 100_000], streams: 1_000, streamChunks: 200, settleMs: 2_000 };
const STREAM_DELAY_MS = 10;
const OUT = path.join(ROOT, 'bench/results/latest.json');

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);

/** Runs `measure` for each target, round after round, rotating the order so drift hits every target alike. */
async function alternate(measure: (t: TargetName) => Promise<Measurement>): Promise<Record<TargetName, Measurement>> {
  const acc = { direct: emptyMeasurement(), bare: emptyMeasurement(), gateway: emptyMeasurement() };
  for (let round = 0; round < PLAN.rounds; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
    for (const target of order) accumulate(acc[target], await measure(target));
  }
  return acc;
}

async function measureScenario(s: Scenario) {
  log(`  ${s.id}: ${s.title}`);
  for (const target of TARGETS) await drive(s.call(target), 8, { amount: PLAN.warmup });
  const latency = await alternate((t) => drive(s.call(t), 1, { seconds: PLAN.latencySeconds }));
  const throughput = await alternate((t) => drive(s.call(t), 64, { seconds: PLAN.throughputSeconds }));
  const firstByte = s.streaming ? await alternate((t) => probeFirstByte(s.call(t), PLAN.firstByteRequests / PLAN.rounds)) : undefined;
  const figures = {} as Record<TargetName, TargetFigures>;
  for (const t of TARGETS) {
    figures[t] = { latency: summaryOf(latency[t]), throughput: summaryOf(throughput[t]), ...(firstByte ? { firstByte: summaryOf(firstByte[t]) } : {}) };
  }
  return scenarioResult(s.id, s.title, figures);
}

async function main(): Promise<number> {
  stopChildrenOnExit();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const port = (line: string) => /"port":(\d+)/.exec(line)?.[1];
  const tsx = ['--import', 'tsx'];

  log(`starting mock upstream, bare proxy and gateway${quick ? ' (quick run)' : ''}…`);
  const mock = await startChild({ name: 'mock upstream', cwd: ROOT, args: [...tsx, 'bench/mock-upstream.ts'], ready: port });
  const mockUrl = `http://127.0.0.1:${mock.match}`;
  const [bare, gateway] = await Promise.all([
    startChild({ name: 'bare proxy', cwd: ROOT, args: [...tsx, 'bench/bare-proxy.ts'], env: { UPSTREAM: mockUrl }, ready: port }),
    startBenchGateway({
      root: ROOT,
      upstreamUrl: mockUrl,
      slowChunks: PLAN.streamChunks,
      slowDelayMs: STREAM_DELAY_MS,
      nodeFlags: args.has('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/profiles')}`] : [],
    }),
  ]);
  const gw: BenchGateway = gateway;
  const endpoints = { mock: mockUrl, bare: `http://127.0.0.1:${bare.match}`, gateway: gw.url, key: gw.key, loggingKey: gw.loggingKey };
  const scenarios = buildScenarios(endpoints);

  log('memory: idle, leak check, open streams…');
  const idle = await settledRss(gw.child.pid, PLAN.settleMs);
  const leak = await leakCheck(gw.child.pid, gatewayChatCall(endpoints, GATEWAY_MODELS.chat, false), PLAN.leak[0], PLAN.leak[1]);
  const streams = await peakDuringStreams(gw.child.pid, gatewayChatCall(endpoints, GATEWAY_MODELS.slowStream, true), PLAN.streams, 120_000);

  log('latency (1 connection), throughput (64 connections), time to first byte:');
  const results = [];
  for (const s of scenarios) results.push(await measureScenario(s));

  const memory = memoryResult(idle, { ...streams, chunks: PLAN.streamChunks, delayMs: STREAM_DELAY_MS }, leak);
  const result: BenchResult = {
    version: 1,
    quick,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    machine: machineInfo(),
    settings: {
      latencyConnections: 1,
      throughputConnections: 64,
      latencySeconds: PLAN.latencySeconds * PLAN.rounds,
      throughputSeconds: PLAN.throughputSeconds * PLAN.rounds,
      rounds: PLAN.rounds,
      firstByteRequests: PLAN.firstByteRequests,
    },
    scenarios: results,
    memory,
    targets: checkTargets(results, memory),
  };
  process.stdout.write(`\n${formatTable(result)}\n\n`);
  writeResult(OUT, result);
  log(`wrote ${path.relative(ROOT, OUT)} (${result.seconds.toFixed(0)} s)`);
  return 0;
}

main()
  .catch((error) => {
    log(`benchmark failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await closeProbes().catch(() => undefined);
    await stopAll();
    process.exit(code);
  });
