import { describe, expect, it } from 'vitest';
import { TrafficWindows } from '../../server/alerts/windows.js';

const sample = (at: number, error = false) => ({ at, error, latencyMs: at % 100 });
const collect = (w: TrafficWindows, scope: 'model' | 'provider', windowMs: number, now: number) =>
  Object.fromEntries([...w.recent(scope, windowMs, now)].map((r) => [r.name, r.samples]));

describe('traffic windows', () => {
  it('keeps the newest 5,000 samples per name, oldest first, across many compactions', () => {
    const w = new TrafficWindows();
    for (let i = 1; i <= 17_321; i++) w.add('model', 'm', sample(i));
    const kept = collect(w, 'model', 1e9, 17_321).m;
    expect(kept).toHaveLength(5_000);
    expect(kept[0].at).toBe(12_322);
    expect(kept.at(-1)?.at).toBe(17_321);
  });

  it('returns only the asked window and scope, and forgets samples older than a day', () => {
    const w = new TrafficWindows();
    const day = 86_400_000;
    w.add('model', 'a', sample(1_000, true));
    w.add('model', 'a', sample(day + 5_000));
    w.add('provider', 'p', sample(day + 6_000));
    expect(collect(w, 'model', 2_000, day + 6_000).a.map((s) => s.at)).toEqual([day + 5_000]);
    expect(Object.keys(collect(w, 'provider', 2_000, day + 6_000))).toEqual(['p']);
    // the first sample is older than a day at this point: gone even from the widest window
    expect(collect(w, 'model', 10 * day, day + 2_000).a.map((s) => s.at)).toEqual([day + 5_000]);
  });
});
