/**
 * `npx tsx bench/cpu-work.ts [--requests N] [--connections C] [--cpu-prof] [--gateway-import F] [scenario ids…]` —
 * CPU work per request of the gateway on a fixed workload: the same N requests
 * of each scenario, CPU time of the gateway process (user + system, /proc)
 * divided by the requests it answered. Unlike throughput this does not move
 * with how busy the machine is, so it compares a change before and after on a
 * shared machine. Also prints the gateway's settled idle RSS.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBenchProcesses } from './build.js';
import { startBenchGateway } from './gateway.js';
import { drive, summaryOf } from './load.js';
import { settledRss } from './memory.js';
import { peakRssBytes } from './cpu.js';
import { startChild, stopAll, stopChildrenOnExit } from './processes.js';
import { buildScenarios } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const requestsAt = argv.indexOf('--requests');
const REQUESTS = requestsAt >= 0 ? Number(argv[requestsAt + 1]) : 4_000;
const wanted = new Set(argv.filter((a, i) => !a.startsWith('--') && !['--requests', '--connections', '--gateway-import'].includes(argv[i - 1])));
const connectionsAt = argv.indexOf('--connections');
const preloadAt = argv.indexOf('--gateway-import');
/** A module the gateway process loads first (`node --import`), e.g. a sampler of its memory under load. */
const preload = preloadAt >= 0 ? argv[preloadAt + 1] : undefined;
const CONNECTIONS = connectionsAt >= 0 ? Number(argv[connectionsAt + 1]) : 8;

async function main(): Promise<void> {
  stopChildrenOnExit();
  const built = await buildBenchProcesses(ROOT);
  const port = (line: string) => /"port":(\d+)/.exec(line)?.[1];
  const mock = await startChild({ name: 'mock upstream', cwd: ROOT, args: [built.serveEntry, 'mock'], ready: port });
  const gw = await startBenchGateway({
    root: ROOT,
    entry: built.gatewayEntry,
    upstreamUrl: `http://127.0.0.1:${mock.match}`,
    slowChunks: 20,
    slowDelayMs: 10,
    nodeFlags: [
      ...(preload ? ['--import', path.resolve(preload)] : []),
      ...(flag('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/profiles')}`] : []),
    ],
  });
  const idle = await settledRss(gw.child.pid, 2_000);
  process.stdout.write(`idle RSS ${(idle / 1048576).toFixed(1)} MB\n`);
  const scenarios = buildScenarios({ mock: `http://127.0.0.1:${mock.match}`, bare: '', gateway: gw.url, key: gw.key, loggingKey: gw.loggingKey });
  for (const s of scenarios) {
    if (wanted.size > 0 && !wanted.has(s.id)) continue;
    const call = s.call('gateway');
    await drive(call, CONNECTIONS, { amount: Math.min(1_000, REQUESTS) });
    const summary = summaryOf(await drive(call, CONNECTIONS, { amount: REQUESTS }, gw.child.pid));
    process.stdout.write(
      `${s.id.padEnd(14)} ${String(summary.requests).padStart(6)} requests, ${summary.errors} errors, ${summary.cpuUsPerRequest?.toFixed(0) ?? '?'} CPU µs/request\n`,
    );
  }
  const peak = await peakRssBytes(gw.child.pid);
  process.stdout.write(`peak RSS ${peak === null ? '?' : (peak / 1048576).toFixed(1)} MB\n`);
}

void main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
