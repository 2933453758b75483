import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * GraphQL abuse is refused per operation: a clean GraphQL error over HTTP
 * (never 500) and an `error` message for that operation over graphql-ws, with
 * the socket (and its other subscriptions) left open.
 */
let gw: TestGateway;
let token: string;

beforeAll(async () => {
  gw = await startTestGateway({ MAX_JSON_DEPTH: '32' });
  token = await gw.adminToken();
});
afterAll(async () => {
  await gw.stop();
});

const deepQuery = (levels: number) => `query { ${'me { '.repeat(levels)}id${' }'.repeat(levels)} }`;
const manyAliases = (n: number) => `query { ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;

async function postQuery(query: string, auth = true) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { errors?: Array<{ message: string }>; data?: unknown } };
}

describe('over HTTP', () => {
  test.each([
    ['a 3,000-level query', deepQuery(3000), 400],
    ['a 20,000-level query', deepQuery(20000), 400],
    ['1,000 aliases (refused before validation, which compares fields pairwise)', manyAliases(1000), 400],
    ['20,000 tokens', `{ ${'__typename '.repeat(20000)} }`, 400],
    // Syntax errors keep GraphQL-over-HTTP's status for application/json (200 with errors, no data).
    ['a syntax error', 'query { me { id ', 200],
    ["40 aliases (past graphql-armor's 30)", manyAliases(40), 200],
  ])('%s → a GraphQL error (HTTP %s), not 500', async (_name, query, expected) => {
    const { status, body } = await postQuery(query);
    expect(status).toBe(expected);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(body.errors![0].message).toBeTruthy();
  });

  test('deeply nested variables → 400 naming the JSON depth limit, before parsing', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"{ __typename }","variables":{"v":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0].message).toContain('MAX_JSON_DEPTH');
  });

  test('1,000 aliases never hold the event loop: each distinct document is refused in a few ms', async () => {
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const query = `query { ${Array.from({ length: 1000 }, (_, j) => `q${i}x${j}: me { id }`).join(' ')} }`;
      expect((await postQuery(query)).status).toBe(400);
    }
    expect(performance.now() - started).toBeLessThan(500);
  });

  test('the gateway still answers afterwards', async () => {
    const { status, body } = await postQuery('{ __typename }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ __typename: 'Query' });
  });
});

type WsMessage = { type: string; id?: string; payload?: any };

/** A graphql-transport-ws session by hand, so close codes and per-operation errors are visible. */
async function openSession(): Promise<{ send(m: WsMessage): void; next(): Promise<WsMessage>; closed: () => number | undefined; close(): void }> {
  const socket = new WebSocket(gw.url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
  const inbox: WsMessage[] = [];
  const waiters: Array<(m: WsMessage) => void> = [];
  let closeCode: number | undefined;
  socket.on('message', (data) => {
    // binaryType is the default `nodebuffer`: every message arrives as one Buffer.
    const message = JSON.parse((data as Buffer).toString('utf8')) as WsMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  socket.on('close', (code) => {
    closeCode = code;
    for (const waiter of waiters.splice(0)) waiter({ type: 'closed', payload: code });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const session = {
    send: (m: WsMessage) => socket.send(JSON.stringify(m)),
    next: () =>
      new Promise<WsMessage>((resolve, reject) => {
        const queued = inbox.shift();
        if (queued) return resolve(queued);
        if (closeCode !== undefined) return resolve({ type: 'closed', payload: closeCode });
        const timer = setTimeout(() => reject(new Error('no message within 5 s')), 5000);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      }),
    closed: () => closeCode,
    close: () => socket.close(),
  };
  session.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  expect((await session.next()).type).toBe('connection_ack');
  return session;
}

describe('over graphql-ws', () => {
  test.each([
    ['a syntax error', 'query { me { id '],
    ['1,000 aliases', manyAliases(1000)],
    ['a 3,000-level query', deepQuery(3000)],
    ['a 40-level query', deepQuery(40)],
  ])('%s → an error message for that operation; the socket stays open', async (_name, query) => {
    const session = await openSession();
    try {
      session.send({ id: 'bad', type: 'subscribe', payload: { query } });
      const answer = await session.next();
      expect(answer.type).toBe('error');
      expect(answer.id).toBe('bad');
      expect(Array.isArray(answer.payload)).toBe(true);
      expect(answer.payload[0].message).toBeTruthy();
      // The same socket serves the next operation.
      session.send({ id: 'good', type: 'subscribe', payload: { query: '{ __typename }' } });
      const next = await session.next();
      expect(next).toMatchObject({ type: 'next', id: 'good', payload: { data: { __typename: 'Query' } } });
      expect((await session.next()).type).toBe('complete');
      expect(session.closed()).toBeUndefined();
    } finally {
      session.close();
    }
  });
});
