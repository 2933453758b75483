/**
 * `npx tsx bench/compare.ts <other checkout> [--rounds N] [--requests N] [--env NAME=VALUE]… [--this-env NAME=VALUE]… [scenario ids…]` —
 * this checkout's gateway against another checkout's (e.g. `git worktree add /tmp/old <commit>`,
 * then `npm ci && node scripts/build-server.mjs` there), in the same run: a fresh process of
 * each per round, the order alternating, both pinned to the same core. `.` as the other
 * checkout with `--env` compares a setting instead: the same build, the other side started
 * with those environment variables (e.g. `. --env HEAP_GROWING_PERCENT=30`; `--this-env` sets
 * them on this side, for what both share). Per scenario and build: CPU µs per request split
 * into the main thread, the busiest other thread (the SQLite log writer) and the rest (V8's GC
 * helpers, libuv), and RPS at 50 connections; per build the peak RSS of the round; medians
 * over the rounds. Both builds are configured through the current GraphQL API.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBenchProcesses } from './build.js';
import { peakRssBytes, threadCpuMicros } from './cpu.js';
import { startBenchGateway } from './gateway.js';
import { drive, summaryOf } from './load.js';
import { pinHarness } from './pinning.js';
import { startChild, stopAll, stopChildrenOnExit } from './processes.js';
import { buildScenarios } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const valued = new Set(['--rounds', '--requests', '--env', '--this-env']);
const positional = argv.filter((a, i) => !a.startsWith('--') && !valued.has(argv[i - 1]));
const other = positional[0];
const wanted = positional.slice(1).length ? positional.slice(1) : ['passthrough', 'stream', 'stream-cross'];
/** Environment variables given as `<name> NAME=VALUE`, every time the option appears. */
function envOption(name: string): Record<string, string> {
  return Object.fromEntries(
    argv.flatMap((a, i) => {
      if (argv[i - 1] !== name) return [];
      const eq = a.indexOf('=');
      if (eq < 1) throw new Error(`${name} takes NAME=VALUE, not ${a}`);
      return [[a.slice(0, eq), a.slice(eq + 1)]];
    }),
  );
}
const otherEnv = envOption('--env');
const thisEnv = envOption('--this-env');
const ROUNDS = option('--rounds', 4);
const REQUESTS = option('--requests', 8_000);
const WARMUP = 6_000;
const CONNECTIONS = 50;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  if (!other)
    throw new Error(
      'usage: npx tsx bench/compare.ts <other checkout> [--rounds N] [--requests N] [--env NAME=VALUE]… [--this-env NAME=VALUE]… [scenario ids…]',
    );
  stopChildrenOnExit();
  const pinning = pinHarness();
  const built = await buildBenchProcesses(ROOT);
  const port = (line: string) => /"port":(\d+)/.exec(line)?.[1];
  const mock = await startChild({ name: 'mock upstream', cwd: ROOT, cores: pinning.loadCores, args: [built.serveEntry, 'mock'], ready: port });
  const mockUrl = `http://127.0.0.1:${mock.match}`;
  const builds = {
    this: { root: ROOT, entry: built.gatewayEntry, env: thisEnv },
    other: { root: path.resolve(other), entry: path.join(path.resolve(other), 'dist/server/main.js'), env: otherEnv },
  };
  const figures = new Map<string, number[]>();
  const note = (key: string, value: number) => figures.set(key, [...(figures.get(key) ?? []), value]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 ? (['other', 'this'] as const) : (['this', 'other'] as const)) {
      const gw = await startBenchGateway({ ...builds[name], cores: pinning.serverCores, upstreamUrl: mockUrl, slowChunks: 20, slowDelayMs: 10 });
      const scenarios = buildScenarios({ mock: mockUrl, bare: '', gateway: gw.url, key: gw.key, loggingKey: gw.loggingKey });
      for (const id of wanted) {
        const scenario = scenarios.find((s) => s.id === id);
        if (!scenario) throw new Error(`unknown scenario ${id}`);
        const call = scenario.call('gateway');
        await drive(call, CONNECTIONS, { amount: WARMUP });
        const before = await threadCpuMicros(gw.child.pid);
        const run = summaryOf(await drive(call, CONNECTIONS, { amount: REQUESTS }, gw.child.pid));
        const after = await threadCpuMicros(gw.child.pid);
        const perThread = [...after].map(([tid, us]) => (us - (before.get(tid) ?? 0)) / run.requests).sort((a, b) => b - a);
        note(`${id} ${name} cpu`, run.cpuUsPerRequest ?? Number.NaN);
        note(`${id} ${name} main`, perThread[0] ?? 0);
        note(`${id} ${name} 2nd`, perThread[1] ?? 0);
        note(
          `${id} ${name} rest`,
          perThread.slice(2).reduce((a, b) => a + b, 0),
        );
        note(`${id} ${name} rps`, run.requests / run.seconds);
      }
      note(`peak RSS MB ${name}`, ((await peakRssBytes(gw.child.pid)) ?? Number.NaN) / 1024 / 1024);
      await gw.stop();
    }
  }
  const listed = (env: Record<string, string>) =>
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  const settings = [Object.keys(thisEnv).length ? `this side: ${listed(thisEnv)}` : '', Object.keys(otherEnv).length ? `other side: ${listed(otherEnv)}` : '']
    .filter(Boolean)
    .map((s) => ` (${s})`)
    .join('');
  process.stdout.write(`this checkout vs ${other}${settings}, ${ROUNDS} rounds of ${REQUESTS} requests (medians; all rounds in brackets)\n`);
  for (const [key, values] of [...figures].sort(([a], [b]) => a.localeCompare(b))) {
    process.stdout.write(`${key.padEnd(28)} ${median(values).toFixed(0).padStart(6)}  [${values.map((v) => v.toFixed(0)).join(', ')}]\n`);
  }
}

main()
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => void stopAll());
