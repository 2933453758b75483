import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CREATE_TARGET, SET_MONITORING } from '../health/helpers.js';
import { deletePrefix, REDIS_URL } from '../limits/support.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { skipUnlessServices } from '../support/services.js';
import { freshDatabase, GatewayProcess, setupPricedModel, uniqueRedisPrefix } from './support.js';
import { waitFor } from '../support/wait.js';

const skip = await skipUnlessServices('Scheduler takeover tests', { postgres: true, redis: true });

/** Short enough for a test: the holder renews every 750 ms, its lock lapses 2.25 s after the last renewal. */
const LOCK_PERIOD_MS = 3_000;
const INTERVAL_SECONDS = 5;

/**
 * Checks this instance has served: a probe goes to the scheduling instance's
 * own `/v1`, so each process's request counter tells who scheduled it.
 */
async function checksServedBy(gw: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('gateway_requests_total{') && line.includes('model="gpt-x"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

// Two gateway processes on one PostgreSQL database and one Redis, health monitoring on.
(skip ? describe.skip : describe)('health scheduler across two gateway processes', () => {
  const prefix = uniqueRedisPrefix();
  const lockKey = `${prefix}lock:health-scheduler`;
  let redis: Redis;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let mock: MockUpstream;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let targetId: string;
  /** Runs in the shared database (read through B; not cached). */
  const storedRuns = async () =>
    (
      await b.admin<{ healthRuns: { nodes: Array<{ id: string }> } }>('query($id: ID!) { healthRuns(targetId: $id, first: 500) { nodes { id } } }', {
        id: targetId,
      })
    ).healthRuns.nodes.length;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    database = await freshDatabase('scheduler-takeover');
    mock = await startOpenAIChatMock();
    const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: prefix, HEALTH_LOCK_PERIOD_MS: String(LOCK_PERIOD_MS) };
    // A alone switches monitoring on, so it is the one that takes the lock.
    a = new GatewayProcess(env);
    await a.start();
    await setupPricedModel(a, mock.url);
    await a.admin(SET_MONITORING, { on: true });
    await waitFor(async () => ((await redis.exists(lockKey)) ? true : undefined), { timeoutMs: 5_000, what: 'instance A to take the scheduler lock' });
    // B starts with monitoring already on (read from the shared database): it follows.
    b = new GatewayProcess(env);
    await b.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await mock?.close();
    await database?.drop();
    await deletePrefix(prefix);
    redis?.disconnect();
  });

  test('exactly one instance runs the checks, including a target created through the other', async () => {
    // Created through B: only B's scheduler hears of it directly; A must find it in the database.
    targetId = (await b.admin<{ createHealthTarget: { id: string } }>(CREATE_TARGET, { i: { modelName: 'gpt-x', intervalSeconds: INTERVAL_SECONDS } }))
      .createHealthTarget.id;
    await waitFor(async () => ((await checksServedBy(a)) >= 3 ? true : undefined), {
      timeoutMs: (3 * INTERVAL_SECONDS + 2) * 1_000,
      what: 'three checks by instance A',
    });
    expect(await checksServedBy(b)).toBe(0);
    // Every upstream call was one of A's checks, each recorded once in the shared database
    // (compared between checks: the counter, the mock and the row are written at different moments).
    const counts = async () => [await checksServedBy(a), mock.requests.length, await storedRuns()];
    const [byA, upstream, stored] = await waitFor(
      async () => {
        const c = await counts();
        return c.every((n) => n === c[0]) ? c : undefined;
      },
      { timeoutMs: INTERVAL_SECONDS * 1_000, what: 'the check counter, the upstream and the stored runs to agree' },
    );
    expect(byA).toBeGreaterThanOrEqual(3);
    expect(upstream).toBe(byA);
    expect(stored).toBe(byA);
    expect(await checksServedBy(b)).toBe(0);
  }, 30_000);

  test('when the scheduling instance is killed, the other schedules within one lock period', async () => {
    const beforeKill = await checksServedBy(a);
    expect(beforeKill).toBeGreaterThan(0);
    expect(await checksServedBy(b)).toBe(0);
    await a.kill(); // SIGKILL: no release, the lock has to lapse
    const killedAt = Date.now();
    await waitFor(async () => ((await checksServedBy(b)) > 0 ? true : undefined), { timeoutMs: 2 * LOCK_PERIOD_MS, what: 'a check scheduled by instance B' });
    const takeoverMs = Date.now() - killedAt;
    console.log(`scheduler takeover ${takeoverMs} ms after SIGKILL (lock period ${LOCK_PERIOD_MS} ms)`);
    // The lock outlives its holder by at least half a period (lapses 3/4 after a renewal made at most 1/4 before the kill)…
    expect(takeoverMs).toBeGreaterThanOrEqual(LOCK_PERIOD_MS / 2 - 100);
    // …and B, polling every quarter, runs the overdue check as soon as it holds it
    // (300 ms on top for the check itself: the target re-read, the probe through /v1, the scrape).
    expect(takeoverMs).toBeLessThanOrEqual(LOCK_PERIOD_MS + 300);
    // B goes on checking at the target's interval.
    await waitFor(async () => ((await checksServedBy(b)) >= 2 ? true : undefined), {
      timeoutMs: (INTERVAL_SECONDS + 2) * 1_000,
      what: 'a second check by instance B',
    });
    await waitFor(async () => ((await storedRuns()) >= beforeKill + 2 ? true : undefined), { timeoutMs: 2_000, what: "B's runs in the database" });
  }, 30_000);
});
