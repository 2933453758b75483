/**
 * CPU time of a process from /proc/<pid>/stat (user + system, all threads),
 * so a target's cost per request is measured, not inferred from throughput;
 * and its resident memory, now and at its peak, from /proc/<pid>/status.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime in microseconds from the text of a `stat` file (a process's or one thread's). */
function statMicros(stat: string): number {
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicks();
}

/** utime + stime of `pid` in microseconds, or null where /proc is missing. */
export async function cpuMicros(pid: number): Promise<number | null> {
  try {
    return statMicros(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** utime + stime of each thread of `pid` (by thread id) in microseconds. */
export async function threadCpuMicros(pid: number): Promise<Map<string, number>> {
  const threads = await readdir(`/proc/${pid}/task`);
  const cpu = new Map<string, number>();
  for (const tid of threads) cpu.set(tid, statMicros(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
  return cpu;
}

/** The given `kB` fields of /proc/<pid>/status in bytes (a field missing reads 0), or null where the file is missing. */
async function statusBytes(pid: number, fields: readonly string[]): Promise<number[] | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return fields.map((field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? 0) * 1024);
  } catch {
    return null;
  }
}

/** Resident set size of a process in bytes (VmRSS), or null. */
export async function rssBytes(pid: number): Promise<number | null> {
  const read = await statusBytes(pid, ['VmRSS']);
  return read && read[0] > 0 ? read[0] : null;
}

/**
 * Peak resident set size so far in bytes, or null. The kernel's RSS counters are approximate
 * (per-CPU counts, folded in lazily), so VmHWM can trail VmRSS by a few pages: the peak is the
 * larger of the two, read from one snapshot of the status file.
 */
export async function peakRssBytes(pid: number): Promise<number | null> {
  const read = await statusBytes(pid, ['VmHWM', 'VmRSS']);
  return read && read[0] > 0 ? Math.max(read[0], read[1]) : null;
}
