/**
 * CPU pinning: with 2+ cores and `taskset` (util-linux), the servers under test
 * (the gateway and the bare proxy, one at a time under load) share the last
 * core, and the load generator (this process) and the mock upstream get the
 * others, so a target's figures do not move with where the scheduler put it.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** Cores of the servers under test, e.g. "1"; null when not pinned. */
  serverCores: string | null;
  /** Cores of the load generator and the mock upstream, e.g. "0". */
  loadCores: string | null;
  /** Why pinning is off, when it is. */
  reason?: string;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Decides the pinning and moves this process (and the children it spawns later) to the load cores. */
export function pinHarness(): Pinning {
  const cores = availableParallelism();
  if (cores < 2) return { serverCores: null, loadCores: null, reason: 'one core only' };
  if (process.platform !== 'linux' || !hasTaskset()) return { serverCores: null, loadCores: null, reason: 'taskset not available (Debian: util-linux)' };
  const serverCores = String(cores - 1);
  const loadCores = cores === 2 ? '0' : `0-${cores - 2}`;
  execFileSync('taskset', ['-a', '-p', '-c', loadCores, String(process.pid)], { stdio: 'ignore' });
  return { serverCores, loadCores };
}

/** Command and arguments that run `node <args>` on the given cores (or unpinned). */
export function nodeCommand(cores: string | null, args: string[]): { command: string; args: string[] } {
  return cores ? { command: 'taskset', args: ['-c', cores, process.execPath, ...args] } : { command: process.execPath, args };
}
