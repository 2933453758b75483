/**
 * The response cache in scale-out: two gateway instances on one PostgreSQL
 * database and one Redis share entries (a hit on B for an answer A stored,
 * a paraphrase on B served semantically from an answer A stored, and a purge
 * on A seen by B); with Redis gone, requests are answered
 * without caching and one warning is logged, never an error.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisProcess, startTwoInstances, uniqueRedisPrefix, type TwoInstances } from '../scaleout/support.js';
import { createKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { anthropicClient, openaiClient, type CustomUpstream } from '../support/proxy-fixture.js';
import { waitFor } from '../support/wait.js';
import { addPricedUpstream, addSemanticVirtualModel, startBagOfWordsEmbedder, userTurn } from './helpers.js';

/** A port nothing listens on, for a redis-server of the suite's own. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('two instances over Redis', () => {
  let instances: TwoInstances<TestGateway> | undefined;
  let a: TestGateway;
  let b: TestGateway;
  let mock: MockUpstream;
  let embedder: CustomUpstream;
  let key: { key: string; id: string };

  beforeAll(async () => {
    // One set of instance secrets, as replicas share them (provider keys are sealed with ENCRYPTION_KEY).
    instances = await startTwoInstances('cache-two', (env) => startTestGateway(env), {
      env: { JWT_SECRET: 'cache-test-jwt-secret-0123456789abcdef', ENCRYPTION_KEY: 'cache-test-encryption-key-0123456789' },
    });
    ({ a, b } = instances);
    let modelId: string;
    ({ mock, modelId } = await addPricedUpstream(a, 'openai-chat'));
    embedder = await startBagOfWordsEmbedder();
    await addSemanticVirtualModel(a, embedder, modelId);
    key = await createKey(a);
    // B learns the key and the models through the config announcement.
    await waitFor(() => (b.services.snapshot.current.keysByHash.size > 0 && b.services.snapshot.current.virtualModelsByName.has('semantic-vm')) || undefined, {
      timeoutMs: 10_000,
      what: 'key and virtual model on instance B',
    });
  }, 120_000);

  afterAll(async () => {
    await instances?.stop();
    await mock?.close();
    await embedder?.close();
  });

  test('an answer stored on A is a hit on B, in another client format and as a stream', async () => {
    const on = { 'x-gateway-cache-ttl': '120' };
    const body = { model: 'm-openai-chat', max_tokens: 30, messages: userTurn('shared across instances') };
    const first = await openaiClient(a, key.key).chat.completions.create(body, { headers: on });
    await a.services.caches.responses.settled();
    const before = mock.requests.length;
    const final = await anthropicClient(b, key.key).messages.stream(body, { headers: on }).finalMessage();
    expect(mock.requests.length).toBe(before);
    expect(final.content[0]).toMatchObject({ type: 'text', text: first.choices[0].message.content });

    // A purge on A removes the entry for B too.
    expect((await a.admin<{ purgeCache: number }>('mutation($k: ID) { purgeCache(keyId: $k) }', { k: key.id })).purgeCache).toBe(1);
    const after = await openaiClient(b, key.key).chat.completions.create(body, { headers: on }).withResponse();
    expect(after.response.headers.get('x-gateway-cache')).toBe('miss');
    expect(mock.requests.length).toBe(before + 1);
  });
  test('a paraphrase on B is served the answer A stored, through the shared semantic vectors', async () => {
    const system = { role: 'system' as const, content: 'You answer geography questions in one sentence.' };
    const ask = async (gw: TestGateway, content: string) => {
      const before = mock.requests.length;
      const { data, response } = await openaiClient(gw, key.key)
        .chat.completions.create({ model: 'semantic-vm', messages: [system, { role: 'user', content }] })
        .withResponse();
      await gw.services.caches.responses.settled();
      return { text: data.choices[0].message.content, cache: response.headers.get('x-gateway-cache'), upstream: mock.requests.length - before };
    };
    const first = await ask(a, 'What is the capital of Portugal?');
    expect(first).toMatchObject({ cache: 'miss', upstream: 1 });
    // Not an exact repeat: only the vector A appended to Redis can find it.
    const paraphrase = await ask(b, 'Tell me the capital of Portugal, please.');
    expect(paraphrase).toEqual({ text: first.text, cache: 'hit', upstream: 0 });
    // Below the threshold stays a miss on B as well.
    expect(await ask(b, 'What is the capital of Norway?')).toMatchObject({ cache: 'miss', upstream: 1 });

    // A purge of the model on A removes the vectors from Redis; B's copy finds no answer behind it.
    await a.admin('mutation($m: String) { purgeCache(model: $m) }', { m: 'semantic-vm' });
    expect(await ask(b, 'Tell me the capital of Portugal!')).toMatchObject({ cache: 'miss', upstream: 1 });
  });
});

describe('a Redis outage', () => {
  const lines: string[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  let redis: RedisProcess;
  let gw: TestGateway;
  let mock: MockUpstream;
  let key: string;
  let redisStopped = false;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    gw = await startTestGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniqueRedisPrefix(), LOG_LEVEL: 'warn' }, undefined, { logDestination: logs });
    ({ mock } = await addPricedUpstream(gw, 'openai-chat'));
    key = (await createKey(gw)).key;
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
    // Stopped by the test already (a second stop would wait for an exit that came).
    if (!redisStopped) await redis?.stop();
  });

  test('falls back to no caching with one warning, never an error', async () => {
    const on = { 'x-gateway-cache-ttl': '120' };
    const body = { model: 'm-openai-chat', messages: userTurn('during an outage') };
    const client = openaiClient(gw, key);
    await client.chat.completions.create(body, { headers: on });
    await gw.services.caches.responses.settled();
    expect((await client.chat.completions.create(body, { headers: on }).withResponse()).response.headers.get('x-gateway-cache')).toBe('hit');

    await redis.stop();
    redisStopped = true;
    const before = mock.requests.length;
    for (let i = 0; i < 3; i++) {
      const answer = await client.chat.completions.create(body, { headers: on }).withResponse();
      expect(answer.response.headers.get('x-gateway-cache')).toBe('miss');
      expect(answer.data.choices[0].message.content).toContain('during an outage');
      await gw.services.caches.responses.settled();
    }
    expect(mock.requests.length).toBe(before + 3);
    const warnings = lines.filter((l) => l.includes('response cache unavailable'));
    expect(warnings).toHaveLength(1);
  }, 30_000);
});
