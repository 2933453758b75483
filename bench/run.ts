/**
 * `npm run bench` — the gateway side by side with a direct call to a mock
 * upstream and with a bare Node.js proxy, on loopback. With 2+ cores the
 * gateway and the bare proxy are pinned to the same core and the load
 * generator (this process) and the mock to the others (bench/pinning.ts).
 * Every process under load runs compiled JavaScript (the gateway as
 * `npm start` runs it). `-- --quick` is a short smoke run (smaller counts);
 * `-- --cpu-prof` writes a CPU profile of the gateway to bench/results/profiles/.
 * Prints Markdown tables and writes bench/results/<time>.json and latest.json;
 * exits non-zero when the run or its JSON is broken.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildBenchProcesses } from './build.js';
import { peakRssBytes } from './cpu.js';
import { startBenchGateway, GATEWAY_MODELS, type BenchGateway } from './gateway.js';
import { accumulate, closeProbes, drive, emptyMeasurement, probeFirstByte, summaryOf, type Measurement } from './load.js';
import { leakCheck, peakDuringStreams, settledRss } from './memory.js';
import { pinHarness } from './pinning.js';
import { startChild, stopAll, stopChildrenOnExit } from './processes.js';
import { checkTargets, formatTable, machineInfo, memoryResult, scenarioResult, writeResult, type BenchResult, type TargetFigures } from './report.js';
import { bareSlowStreamCall, buildScenarios, gatewayChatCall, TARGETS, type Scenario, type TargetName } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

/** Full run ≈ 8 minutes; quick ≈ 40 s on an idle 2-core machine (smaller counts: a smoke test, not a measurement). */
const PLAN = quick
  ? {
      rounds: 1,
      latencySeconds: 0.4,
      throughputSeconds: 0.6,
      warmup: 50,
      firstByteRequests: 30,
      leak: [300, 1_500],
      streams: 200,
      streamChunks: 50,
      settleMs: 300,
      idleMs: 1_000,
    }
  : {
      rounds: 2,
      latencySeconds: 4,
      throughputSeconds: 5,
      warmup: 2_000,
      firstByteRequests: 400,
      leak: [10_000, 100_000],
      streams: 1_000,
      streamChunks: 200,
      settleMs: 2_000,
      // V8's memory reducer runs after about 8 s of low allocation, then again; the first retention
      // run (30 s after start) starts the SQLite writer thread, which stops after 15 s without work.
      // 60 s is past all of them: what a gateway without traffic holds.
      idleMs: 60_000,
    };
const THROUGHPUT_CONNECTIONS = 50;
const STREAM_DELAY_MS = 10;
const RESULTS = path.join(ROOT, 'bench/results');

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

async function measureScenario(s: Scenario, pids: Record<TargetName, number>) {
  log(`  ${s.id}: ${s.title}`);
  for (const target of TARGETS) await drive(s.call(target), 8, { amount: PLAN.warmup });
  const latency = await alternate((t) => drive(s.call(t), 1, { seconds: PLAN.latencySeconds }));
  const throughput = await alternate((t) => drive(s.call(t), THROUGHPUT_CONNECTIONS, { seconds: PLAN.throughputSeconds }, pids[t]));
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
  const pinning = pinHarness();
  log(
    pinning.serverCores
      ? `pinned: gateway and bare proxy on core ${pinning.serverCores}, load generator and mock on ${pinning.loadCores}`
      : `not pinned: ${pinning.reason}`,
  );
  const built = await buildBenchProcesses(ROOT);
  const port = (line: string) => /"port":(\d+)/.exec(line)?.[1];

  log(`starting mock upstream, bare proxy and gateway${quick ? ' (quick run)' : ''}…`);
  const mock = await startChild({ name: 'mock upstream', cwd: ROOT, args: [built.serveEntry, 'mock'], cores: pinning.loadCores, ready: port });
  const mockUrl = `http://127.0.0.1:${mock.match}`;
  const gatewayOptions = {
    root: ROOT,
    entry: built.gatewayEntry,
    cores: pinning.serverCores,
    upstreamUrl: mockUrl,
    slowChunks: PLAN.streamChunks,
    slowDelayMs: STREAM_DELAY_MS,
  };
  // Idle first, on an instance of its own with nothing else running: V8's memory reducer needs
  // spare time to run, and the instance under test then starts from configuration as before.
  log(`idle RSS: a gateway ${PLAN.idleMs / 1000} s without traffic…`);
  const idleGateway = await startBenchGateway(gatewayOptions);
  const idleSince = performance.now();
  const idleRss = await settledRss(idleGateway.child.pid, PLAN.idleMs);
  const idleSeconds = Math.round((performance.now() - idleSince) / 1000);
  await idleGateway.stop();

  const [bare, gateway] = await Promise.all([
    startChild({ name: 'bare proxy', cwd: ROOT, args: [built.serveEntry, 'bare'], cores: pinning.serverCores, env: { UPSTREAM: mockUrl }, ready: port }),
    startBenchGateway({ ...gatewayOptions, nodeFlags: args.has('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS, 'profiles')}`] : [] }),
  ]);
  const gw: BenchGateway = gateway;
  const endpoints = { mock: mockUrl, bare: `http://127.0.0.1:${bare.match}`, gateway: gw.url, key: gw.key, loggingKey: gw.loggingKey };
  const scenarios = buildScenarios(endpoints);
  const pids: Record<TargetName, number> = { direct: mock.child.pid, bare: bare.child.pid, gateway: gw.child.pid };

  log('memory: after start, then RSS after N and 10·N requests…');
  const startRss = await settledRss(gw.child.pid, PLAN.settleMs);
  const idle = { gateway: idleRss, bare: await settledRss(bare.child.pid, 0) };
  const leak = await leakCheck(gw.child.pid, gatewayChatCall(endpoints, GATEWAY_MODELS.chat, false), PLAN.leak[0], PLAN.leak[1]);

  log(`latency (1 connection), throughput (${THROUGHPUT_CONNECTIONS} connections, CPU per request), time to first byte:`);
  const results = [];
  for (const s of scenarios) results.push(await measureScenario(s, pids));
  const peakUnderLoad = { gateway: (await peakRssBytes(gw.child.pid)) ?? 0, bare: (await peakRssBytes(bare.child.pid)) ?? 0 };

  log(`${PLAN.streams} concurrent slow streams (${PLAN.streamChunks} chunks, ${STREAM_DELAY_MS} ms apart): gateway, then bare proxy…`);
  const streams = await peakDuringStreams(gw.child.pid, gatewayChatCall(endpoints, GATEWAY_MODELS.slowStream, true), PLAN.streams, 120_000);
  const bareStreams = await peakDuringStreams(bare.child.pid, bareSlowStreamCall(endpoints, PLAN.streamChunks, STREAM_DELAY_MS), PLAN.streams, 120_000);

  const memory = memoryResult({
    startRssBytes: startRss,
    idleRssBytes: idle.gateway,
    idleAfterSeconds: idleSeconds,
    peakRssBytes: peakUnderLoad.gateway,
    bare: { idleRssBytes: idle.bare, peakRssBytes: peakUnderLoad.bare, streamsPeakRssBytes: bareStreams.peakRssBytes },
    streams: { ...streams, chunks: PLAN.streamChunks, delayMs: STREAM_DELAY_MS },
    leak,
  });
  const result: BenchResult = {
    version: 2,
    quick,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    machine: machineInfo(),
    pinning,
    settings: {
      latencyConnections: 1,
      throughputConnections: THROUGHPUT_CONNECTIONS,
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
  const file = path.join(RESULTS, `${startedAt.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeResult(file, result);
  writeResult(path.join(RESULTS, 'latest.json'), result);
  log(`wrote ${path.relative(ROOT, file)} and bench/results/latest.json (${result.seconds.toFixed(0)} s)`);
  return 0;
}

void main()
  .catch((error) => {
    log(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await closeProbes().catch(() => undefined);
    await stopAll();
    process.exit(code);
  });
