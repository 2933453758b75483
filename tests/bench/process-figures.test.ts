import { describe, expect, it } from 'vitest';
import { cpuMicros, peakRssBytes, rssBytes } from '../../bench/cpu.js';
import { nodeCommand } from '../../bench/pinning.js';

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

describe('benchmark process figures (/proc)', () => {
  it('reads CPU time that grows with work done', async () => {
    const before = await cpuMicros(process.pid);
    expect(before).toBeGreaterThan(0);
    // Busy until the process's own CPU clock says 60 ms: wall time would count time spent waiting
    // for the core on a loaded machine.
    const start = process.cpuUsage();
    let x = 0;
    while (cpuSince(start) < 60_000) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const after = await cpuMicros(process.pid);
    // /proc counts in clock ticks of 10 ms.
    expect(after! - before!).toBeGreaterThanOrEqual(40_000);
  });

  it('reads the peak RSS, never below the current RSS, and growing with memory touched', async () => {
    const now = await rssBytes(process.pid);
    const peak = await peakRssBytes(process.pid); // read second: the peak can only have grown
    expect(now).toBeGreaterThan(10 * 1024 * 1024);
    expect(peak).toBeGreaterThanOrEqual(now!);
    // 64 MiB written through is resident: the peak must reach past it, whatever the peak was before.
    const block = Buffer.allocUnsafeSlow(64 * 1024 * 1024).fill(1);
    const after = await peakRssBytes(process.pid);
    expect(block[block.length - 1]).toBe(1);
    expect(after!).toBeGreaterThanOrEqual(now! + 32 * 1024 * 1024);
  });

  it('gives null for a process that does not exist', async () => {
    expect(await cpuMicros(2 ** 30)).toBeNull();
    expect(await peakRssBytes(2 ** 30)).toBeNull();
  });

  it('runs node through taskset only when pinned', () => {
    expect(nodeCommand('1', ['a.js'])).toEqual({ command: 'taskset', args: ['-c', '1', process.execPath, 'a.js'] });
    expect(nodeCommand(null, ['a.js'])).toEqual({ command: process.execPath, args: ['a.js'] });
  });
});
