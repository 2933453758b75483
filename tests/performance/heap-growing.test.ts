/**
 * HEAP_GROWING_PERCENT as the gateway applies it (server/config/heap-growing.ts),
 * once the process runs: in a child process whose objects live long enough to be
 * promoted and then die, the old generation must peak well below where V8's own
 * factor lets it go. A flag V8 read only at start, or under another name, would
 * leave both peaks alike.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Replaces objects in a ring of 20,000 (about 10 MB live), a million times; prints the old space's peak in MB. */
const CHURN = `
  import v8 from 'node:v8';
  import { applyHeapGrowing } from './server/config/heap-growing.ts';
  applyHeapGrowing(Number(process.argv[1]));
  const ring = new Array(20_000);
  let peak = 0;
  for (let i = 0; i < 1_000_000; i++) {
    ring[i % ring.length] = { text: 'x'.repeat(200) + i, numbers: new Array(20).fill(i) };
    if (i % 1_000 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size);
  }
  process.stdout.write(String(peak / 1048576));
`;

function oldSpacePeakMb(percent: number): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHURN, String(percent)], { cwd: ROOT, encoding: 'utf8' });
  return Number(out);
}

describe('HEAP_GROWING_PERCENT', () => {
  it('keeps the old generation of a churning process well below what V8 alone allows', () => {
    const v8Own = oldSpacePeakMb(0);
    const capped = oldSpacePeakMb(50);
    expect(v8Own).toBeGreaterThan(20);
    expect(capped).toBeLessThan(v8Own * 0.8);
  });
});
