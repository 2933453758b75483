/**
 * An admin's month-long usage summary must not stall the proxy: on SQLite the
 * aggregate runs in a read-only worker thread, so /healthz keeps answering
 * while it runs. (With the query on the event loop, /healthz would wait for it.)
 * Grouped by end user, which is not a rollup dimension, so it reads every row.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLogRow } from '../../server/observability/log-row.js';
import { SqliteLogStore } from '../../server/observability/sqlite-log-store.js';
import { startTestGateway, TEST_DB, type TestGateway } from '../support/gateway.js';

const DAY = 86_400_000;
const ROWS = 150_000;

describe.skipIf(TEST_DB !== 'sqlite')('usage aggregates off the event loop (SQLite)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
    const store = new SqliteLogStore(path.join(gw.dataDir, 'gateway.db'));
    const now = Date.now();
    for (let done = 0; done < ROWS; done += 2_000) {
      await store.insert(
        Array.from({ length: 2_000 }, (_, j) => {
          const i = done + j;
          return toLogRow({
            at: new Date(now - 29 * DAY + Math.floor((i / ROWS) * 29 * DAY)),
            clientApi: 'chat-completions',
            keyId: `key-${i % 20}`,
            requestedModel: `model-${i % 10}`,
            endUser: `user-${i % 10}`,
            attempts: 1,
            stream: false,
            status: i % 20 === 0 ? 502 : 200,
            latencyMs: i % 1_500,
            usage: { inputTokens: 100, outputTokens: 20 },
            costUsd: 0.001,
          });
        }),
      );
    }
    await store.close();
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers /healthz quickly while a 30-day usage summary over 150,000 rows runs', async () => {
    const token = await gw.adminToken();
    const to = new Date();
    const from = new Date(to.getTime() - 30 * DAY);
    const started = performance.now();
    let done = false;
    const summary = fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          'query($f: DateTime!, $t: DateTime!){ usageSummary(from: $f, to: $t, groupBy: END_USER) { total { requests p95LatencyMs } groups { key requests } } }',
        variables: { f: from.toISOString(), t: to.toISOString() },
      }),
    })
      .then((r) => r.json())
      .finally(() => (done = true));

    const healthz: number[] = [];
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/healthz`);
      await res.arrayBuffer();
      healthz.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    const body = await summary;
    const queryMs = performance.now() - started;
    expect(body.errors).toBeUndefined();
    expect(body.data.usageSummary.total.requests).toBe(ROWS);
    expect(body.data.usageSummary.groups).toHaveLength(10);
    // The check only means something when the aggregate took a while.
    expect(queryMs).toBeGreaterThan(300);
    expect(healthz.length).toBeGreaterThan(3);
    // On the event loop the slowest /healthz would wait about as long as the query.
    expect(Math.max(...healthz)).toBeLessThan(queryMs / 3);
  }, 120_000);
});
