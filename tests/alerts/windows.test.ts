import { describe, expect, it } from 'vitest';
import { TrafficWindows } from '../../server/alerts/windows.js';

const add = (w: TrafficWindows, scope: 'model' | 'provider', name: string, at: number, error = false) => w.add(scope, name, at, error, at % 100);
const collect = (w: TrafficWindows, scope: 'model' | 'provider', windowMs: number, now: number) =>
  Object.fromEntries([...w.recent(scope, windowMs, now)].map((r) => [r.name, r.samples]));

describe('traffic windows', () => {
  it('keeps the newest 5,000 samples per name, oldest first, across many compactions', () => {
    const w = new TrafficWindows();
    for (let i = 1; i <= 17_321; i++) add(w, 'model', 'm', i, i % 7 === 0);
    const kept = collect(w, 'model', 1e9, 17_321).m;
    expect(kept).toHaveLength(5_000);
    expect(kept[0].at).toBe(12_322);
    expect(kept.at(-1)?.at).toBe(17_321);
    // Each sample keeps its own error flag and latency through the ring's growth and wrap-around.
    expect(kept.every((s) => s.error === (s.at % 7 === 0) && s.latencyMs === s.at % 100)).toBe(true);
  });

  it('returns only the asked window and scope, and forgets samples older than a day', () => {
    const w = new TrafficWindows();
    const day = 86_400_000;
    add(w, 'model', 'a', 1_000, true);
    add(w, 'model', 'a', day + 5_000);
    add(w, 'provider', 'p', day + 6_000);
    expect(collect(w, 'model', 2_000, day + 6_000).a.map((s) => s.at)).toEqual([day + 5_000]);
    expect(Object.keys(collect(w, 'provider', 2_000, day + 6_000))).toEqual(['p']);
    // the first sample is older than a day at this point: gone even from the widest window
    expect(collect(w, 'model', 10 * day, day + 2_000).a.map((s) => s.at)).toEqual([day + 5_000]);
  });
});
