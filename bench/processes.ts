/**
 * Child processes of the harness: started with their stdout watched for the
 * line that says they listen, and all stopped at the end, on error and on
 * Ctrl-C (SIGTERM first, SIGKILL if one does not go).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { nodeCommand } from './pinning.js';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<Child>();

export interface SpawnOptions {
  name: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Cores to pin the process to (taskset -c), or null/undefined for the harness's own. */
  cores?: string | null;
  /** Returns a value once a stdout line shows the process is ready. */
  ready: (line: string) => string | undefined;
  timeoutMs?: number;
}

/** Starts `node <args>` and resolves with the child and what `ready` matched. */
export function startChild(options: SpawnOptions): Promise<{ child: Child; match: string }> {
  // taskset execs node in place, so the pid is node's own (read by /proc measurements).
  const { command, args } = nodeCommand(options.cores ?? null, options.args);
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, BENCH_CHILD: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child: Child = { name: options.name, proc, pid: proc.pid ?? -1, stop: () => stopChild(child) };
  running.add(child);
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`${options.name} did not start within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`${error.message}${stderr ? `\n${options.name} stderr:\n${stderr}` : ''}`));
    };
    const onData = (c: Buffer) => {
      buffered += c.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const match = options.ready(line);
        if (match !== undefined) {
          clearTimeout(timer);
          proc.stdout.off('data', onData);
          proc.stdout.resume(); // keep draining so the child never blocks on a full pipe
          resolve({ child, match });
          return;
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code, signal) => fail(new Error(`${options.name} exited early (code ${code}, signal ${signal})`)));
    proc.once('error', fail);
  });
}

function stopChild(child: Child): Promise<void> {
  running.delete(child);
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** Stops every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

/** Last-resort cleanup when the harness itself is interrupted or crashes. */
export function stopChildrenOnExit(): void {
  const killNow = () => {
    for (const child of running) if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  };
  process.once('exit', killNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the benchmark's processes\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}
