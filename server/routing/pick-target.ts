import type { LatencyTracker } from './latency-tracker.js';
import type { RouteTarget, Strategy } from '../snapshot/types.js';

/** Share of LEAST_LATENCY picks that go to a random target, so a recovered one gets measured again. */
export const EXPLORATION_RATE = 0.1;

/**
 * Chooses the next target among `candidates` (already filtered to healthy,
 * untried ones). `random` is injectable for tests.
 */
export function pickTarget(
  strategy: Strategy,
  candidates: RouteTarget[],
  latency: LatencyTracker,
  random: () => number = Math.random,
): RouteTarget | undefined {
  if (candidates.length <= 1) return candidates[0];
  switch (strategy) {
    case 'FAILOVER':
      return candidates.reduce((best, t) => (t.priority < best.priority ? t : best));
    case 'LOAD_BALANCE': {
      const total = candidates.reduce((sum, t) => sum + Math.max(0, t.weight), 0);
      if (total <= 0) return candidates[Math.floor(random() * candidates.length)];
      let point = random() * total;
      for (const t of candidates) {
        point -= Math.max(0, t.weight);
        if (point < 0) return t;
      }
      return candidates[candidates.length - 1];
    }
    case 'LEAST_LATENCY': {
      const unmeasured = candidates.find((t) => latency.average(t.model.id) === undefined);
      if (unmeasured) return unmeasured;
      if (random() < EXPLORATION_RATE) return candidates[Math.floor(random() * candidates.length)];
      return candidates.reduce((best, t) => (latency.average(t.model.id)! < latency.average(best.model.id)! ? t : best));
    }
  }
}
