/**
 * `dependency_lost` rules for real: a redis-server of the suite's own that is
 * killed and started again under two gateway instances (one alert each way,
 * from the instance that held the lock), and PostgreSQL reached through a TCP
 * relay on loopback that is closed and reopened (the alert goes out from the
 * channels as last read, and the history is written once the database answers).
 */
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase, RedisProcess, startTwoInstances, type TwoInstances } from '../scaleout/support.js';
import { alertHistoryOf, createAlertChannel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';
import { startHookReceiver } from './receiver.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RULE = 'mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A TCP relay to PostgreSQL that can be cut (listener closed, every connection destroyed) and restored on the same port. */
class TcpRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}
  open(): Promise<void> {
    const server = createTcpServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }
  cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('Redis lost and back, two instances', () => {
  let redis: RedisProcess;
  let instances: TwoInstances<TestGateway> | undefined;
  let a: TestGateway;
  let b: TestGateway;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  const alerts = () => receiver.on('/webhook/deps').filter((h) => h.body.kind === 'dependency_lost');

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    instances = await startTwoInstances('alerts-redis', (env) => startTestGateway(env), {
      redisUrl: redis.url,
      env: {
        JWT_SECRET: 'deps-test-jwt-secret-0123456789abcdefgh',
        ENCRYPTION_KEY: 'deps-test-encryption-key-0123456789abc',
        ALERTS_INTERVAL_MS: '200',
      },
    });
    ({ a, b } = instances);
    receiver = await startHookReceiver();
    const channel = await createAlertChannel(a, { name: 'ops', kind: 'WEBHOOK', url: `${receiver.url}/webhook/deps` });
    await a.admin(RULE, { i: { name: 'redis', kind: 'DEPENDENCY_LOST', params: { dependencies: ['redis'] }, channelIds: [channel], cooldownSeconds: 600 } });
    // Both instances have evaluated with the rule in place (one of them holds the lock).
    await sleep(800);
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await redis?.stop();
    await receiver?.close();
  });

  test('one "lost" when redis-server dies, one "back" when it returns, whichever instance held the lock', async () => {
    expect(alerts()).toEqual([]);
    await redis.stop();
    const lost = await waitFor(() => alerts().find((h) => h.body.severity === 'critical'), { timeoutMs: 15_000, what: 'the Redis-lost alert' });
    expect(lost.body).toMatchObject({ title: 'Redis is not answering', dedupKey: 'dependency:redis:lost', labels: { dependency: 'redis', state: 'lost' } });
    // Many evaluation periods into the outage: still one, from one instance.
    await sleep(1_500);
    expect(alerts()).toHaveLength(1);

    await redis.start();
    const back = await waitFor(() => alerts().find((h) => h.body.severity === 'resolved'), { timeoutMs: 15_000, what: 'the Redis-back alert' });
    expect(back.body).toMatchObject({ title: 'Redis is answering again', labels: { dependency: 'redis', state: 'back' } });
    await sleep(1_500);
    expect(alerts().map((h) => h.body.severity)).toEqual(['critical', 'resolved']);

    const history = await alertHistoryOf(b, 'redis');
    expect(history.map((e: { severity: string }) => e.severity)).toEqual(['resolved', 'critical']);
  }, 60_000);
});

describe('database lost and back', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let relay: TcpRelay;
  let gw: TestGateway;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  const alerts = () => receiver.on('/webhook/db').filter((h) => h.body.kind === 'dependency_lost');

  beforeAll(async () => {
    database = await freshDatabase('alerts-db');
    const direct = new URL(database.url);
    relay = new TcpRelay(await freePort(), { host: direct.hostname, port: Number(direct.port || 5432) });
    await relay.open();
    const viaRelay = new URL(database.url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    gw = await startTestGateway({ DATABASE_URL: viaRelay.toString(), ALERTS_INTERVAL_MS: '200' });
    receiver = await startHookReceiver();
    const channel = await createAlertChannel(gw, { name: 'dba', kind: 'WEBHOOK', url: `${receiver.url}/webhook/db` });
    await gw.admin(RULE, { i: { name: 'database', kind: 'DEPENDENCY_LOST', params: {}, channelIds: [channel], cooldownSeconds: 600 } });
    await sleep(600);
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await relay?.cut();
    await receiver?.close();
    await database?.drop();
  });

  test('the alert is sent while the database is unreachable, and both are in the history once it answers', async () => {
    expect(alerts()).toEqual([]);
    await relay.cut();
    const lost = await waitFor(() => alerts().find((h) => h.body.severity === 'critical'), { timeoutMs: 15_000, what: 'the database-lost alert' });
    expect(lost.body).toMatchObject({ title: 'The database is not answering', labels: { dependency: 'database', state: 'lost' } });
    await sleep(1_000);
    expect(alerts()).toHaveLength(1);

    await relay.open();
    const back = await waitFor(() => alerts().find((h) => h.body.severity === 'resolved'), { timeoutMs: 15_000, what: 'the database-back alert' });
    expect(back.body).toMatchObject({ title: 'The database is answering again', labels: { dependency: 'database', state: 'back' } });

    // The alert sent during the outage was kept and written when the database answered again.
    const history = await waitFor(
      async () => {
        const rows = await alertHistoryOf(gw, 'database');
        return rows.length === 2 ? rows : undefined;
      },
      { timeoutMs: 10_000, what: 'both alerts in the history' },
    );
    expect(history.map((e: { severity: string }) => e.severity)).toEqual(['resolved', 'critical']);
    expect(history.every((e: { deliveries: Array<{ ok: boolean }> }) => e.deliveries[0]?.ok)).toBe(true);
    expect(alerts()).toHaveLength(2);
  }, 60_000);
});
