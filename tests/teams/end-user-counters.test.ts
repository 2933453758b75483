import { describe, expect, test } from 'vitest';
import { LruMap } from '../../server/limits/lru-map.js';
import { DEFAULT_END_USER_CAP, MemoryCounterStore } from '../../server/limits/memory-store.js';
import { WINDOW_MS } from '../../server/limits/periods.js';
import { limitSubjects } from '../../server/limits/subjects.js';
import type { KeyEntry } from '../../server/snapshot/types.js';

const KEY: KeyEntry = {
  id: 'key-end-users',
  name: 'end users',
  prefix: 'sk-test',
  allowedModels: null,
  enabled: true,
  revoked: false,
  logBodies: false,
  purpose: 'app',
  endUserLimits: { rpm: 2, budgetUsd: 1, budgetPeriod: 'daily' },
};
const NOW = Date.UTC(2026, 11, 2, 12, 0, 30);
let lease = 0;

/** One request of an end user through the real subjects and the memory store: admitted (and its cost added) or refused by a limit. */
function request(store: MemoryCounterStore, endUser: string, costUsd = 0.01) {
  const subjects = limitSubjects(KEY, { endUser }, NOW);
  const plan = { subjects: subjects.map((s) => s.plan), now: NOW, window: Math.floor(NOW / WINDOW_MS), estimatedTokens: 10, leaseId: `l${lease++}` };
  const result = store.admit(plan);
  if (!result.rejected) store.release({ now: NOW, backend: 'memory', costUsd, subjects: subjects.map((s) => ({ id: s.plan.id, spend: s.spend })) });
  return result;
}

describe('end-user counters in memory are bounded', () => {
  test('thousands of distinct end users keep at most the cap of counters; the key keeps its own; recent end users stay limited', () => {
    const store = new MemoryCounterStore({ endUserCap: 500 });
    for (let i = 0; i < 5_000; i++) expect(request(store, `user-${i}`).rejected).toBeUndefined();
    expect(store.sizes()).toEqual({ rpm: 0, tpm: 0, spend: 1, endUserRpm: 500, endUserTpm: 0, endUserSpend: 500 });

    // The key's own spend is all 5 000 requests: never evicted.
    const spend = store.spendSeeds().find((s) => s.keyId === KEY.id && s.period === 'total');
    expect(spend?.usd).toBeCloseTo(50, 6);

    // A recent end user is still counted: its second request passes, the third is refused by its RPM.
    expect(request(store, 'user-4999').rejected).toBeUndefined();
    expect(request(store, 'user-4999').rejected).toBe('rpm');
    // The least recently seen were forgotten (the documented trade-off): user-0 counts from zero again.
    expect(request(store, 'user-0').rejected).toBeUndefined();
    expect(store.sizes().endUserRpm).toBe(500);
  });

  test('an end user at its budget stays refused while it is among the recent ones', () => {
    const store = new MemoryCounterStore({ endUserCap: 100 });
    expect(request(store, 'big-spender', 1.5).rejected).toBeUndefined();
    for (let i = 0; i < 50; i++) request(store, `other-${i}`);
    expect(request(store, 'big-spender').rejected).toBe('budget');
  });

  test('the default cap holds against more distinct end users than it', () => {
    const store = new MemoryCounterStore();
    for (let i = 0; i < DEFAULT_END_USER_CAP + 5_000; i++) request(store, `u${i}`, 0.001);
    const sizes = store.sizes();
    expect(sizes.endUserRpm).toBe(DEFAULT_END_USER_CAP);
    expect(sizes.endUserSpend).toBe(DEFAULT_END_USER_CAP);
    expect(sizes.spend).toBe(1);
  });

  test('LruMap: a read makes an entry the newest; the cap drops the oldest', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect([...map.entries()]).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
