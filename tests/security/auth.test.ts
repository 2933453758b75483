/**
 * Admin authentication edges: introspection in production, JWT claims that
 * must be present, revocation (logout, password change, deletion) over HTTP
 * and graphql-ws, login backoff that an attacker cannot turn into a lock-out,
 * and /v1 refusals in the caller's error format.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { FailoverAttemptStore, MemoryAttemptStore, RedisAttemptStore } from '../../server/auth/attempt-store.js';
import { backoffMs, LOGIN_POLICIES, LoginLimiter } from '../../server/auth/login-limiter.js';
import { pino } from 'pino';
import { errorCodes, onlyError, postGraphQL, unique } from '../foundation/helpers.js';
import { dataOf } from '../support/admin.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';
import { skipUnlessServices } from '../support/services.js';
import { deletePrefix, REDIS_URL } from '../limits/support.js';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
const INTROSPECTION = '{ __schema { queryType { name } types { name } } }';
const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('production GraphQL surface', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-jwt-secret-0123456789-abcdefghij',
      ENCRYPTION_KEY: 'production-encryption-key-0123456789-abcdef',
    });
  });
  afterAll(() => gw?.stop());

  it('refuses introspection to anonymous callers and allows it after login', async () => {
    const anonymous = await gw.gql<{ __schema: unknown }>(INTROSPECTION);
    expect(onlyError(anonymous).extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.__schema ?? null).toBeNull();
    const byType = await gw.gql('{ __type(name: "Provider") { fields { name } } }');
    expect(onlyError(byType).extensions?.code).toBe('UNAUTHENTICATED');
    // __typename is not introspection of the schema and stays available.
    const typename = await gw.gql('{ __typename }');
    expect(typename.data).toEqual({ __typename: 'Query' });

    const loggedIn = await gw.gql<{ __schema: { queryType: { name: string } } }>(INTROSPECTION, undefined, await gw.adminToken());
    expect(loggedIn.errors).toBeUndefined();
    expect(loggedIn.data?.__schema.queryType.name).toBe('Query');
  });

  it('serves no GraphiQL page', async () => {
    const res = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/graphiql/i);
  });

  it('keeps /metrics off without METRICS_TOKEN (404), while development keeps it open', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/METRICS_TOKEN/);
    const dev = await startTestGateway();
    try {
      expect((await fetch(`${dev.url}/metrics`)).status).toBe(200);
    } finally {
      await dev.stop();
    }
  });

  it('with METRICS_TOKEN set in production, serves /metrics to its bearer only', async () => {
    const token = 'metrics-token-0123456789';
    const prod = await startTestGateway({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-jwt-secret-0123456789-abcdefghij',
      ENCRYPTION_KEY: 'production-encryption-key-0123456789-abcdef',
      METRICS_TOKEN: token,
    });
    try {
      expect((await fetch(`${prod.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE');
    } finally {
      await prod.stop();
    }
  });
});

describe('admin tokens', () => {
  let gw: TestGateway;
  let adminId: string;
  let secret: Uint8Array;
  const clients: Client[] = [];
  beforeAll(async () => {
    gw = await startTestGateway();
    adminId = (await gw.admin<{ me: { id: string } }>('{ me { id } }')).me.id;
    secret = new TextEncoder().encode(readFileSync(path.join(gw.dataDir, 'jwt-secret'), 'utf8').trim());
  });
  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await gw?.stop();
  });

  const me = (token: string) => gw.gql<{ me: { id: string } }>('{ me { id } }', undefined, token);
  const login = async (email: string, password: string): Promise<string> => {
    const res = await gw.gql<{ login: { token: string } }>(LOGIN, { e: email, p: password });
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return res.data.login.token;
  };
  const newUser = async (role: 'admin' | 'viewer' = 'viewer') => {
    const email = `${unique('u')}@example.com`;
    const password = 'a-long-password-1';
    const id = (await gw.admin<{ createUser: { id: string } }>(CREATE_USER, { i: { email, password, role } })).createUser.id;
    return { id, email, password };
  };

  /** Opens a subscription; resolves with the close code once the server ends the socket. */
  const openSubscription = (token: string) => {
    const c = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(c);
    let connected = false;
    c.on('connected', () => (connected = true));
    const closed = new Promise<number | undefined>((resolve) => {
      c.subscribe(
        { query: 'subscription { configChanged { version } }' },
        {
          next: () => {},
          error: (error) => resolve((error as { code?: number }).code),
          complete: () => resolve(undefined),
        },
      );
    });
    return { closed, isConnected: () => connected };
  };
  const waitConnected = async (s: { isConnected(): boolean }) => {
    for (let i = 0; i < 100 && !s.isConnected(); i++) await sleep(20);
    expect(s.isConnected()).toBe(true);
    await sleep(100); // the subscription itself is registered just after the connection
  };
  const closedWithin = (closed: Promise<number | undefined>, ms = 5000) => Promise.race([closed, sleep(ms).then(() => 'still open' as const)]);

  const signed = (claims: { exp?: boolean; iat?: boolean; ver?: number | null }) => {
    let jwt = new SignJWT({ email: ADMIN_EMAIL, role: 'admin', ...(claims.ver === null ? {} : { ver: claims.ver ?? 0 }) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(adminId)
      .setIssuer('llm-gateway');
    if (claims.iat !== false) jwt = jwt.setIssuedAt();
    if (claims.exp !== false) jwt = jwt.setExpirationTime('1h');
    return jwt.sign(secret);
  };

  it('must carry exp, iat and the token version (control: with all three it works)', async () => {
    expect((await me(await signed({}))).data?.me.id).toBe(adminId);
    for (const [what, token] of [
      ['no exp', await signed({ exp: false })],
      ['no iat', await signed({ iat: false })],
      ['no ver', await signed({ ver: null })],
      ['old ver', await signed({ ver: 7 })],
    ] as const) {
      const res = await me(token);
      expect(errorCodes(res), what).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('logout revokes every token of the user (all devices), over HTTP and graphql-ws', async () => {
    const user = await newUser('viewer');
    const phone = await login(user.email, user.password);
    const laptop = await login(user.email, user.password);
    const socket = openSubscription(laptop);
    await waitConnected(socket);
    expect((await me(phone)).data?.me.id).toBe(user.id);

    const out = await gw.gql<{ logout: boolean }>('mutation { logout }', undefined, phone);
    expect(out.errors).toBeUndefined();
    expect(out.data?.logout).toBe(true);

    expect(errorCodes(await me(phone))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(laptop))).toEqual(['UNAUTHENTICATED']);
    expect(await closedWithin(socket.closed)).toBe(4403);
    // A new socket with the old token is refused at connection.
    expect(await closedWithin(openSubscription(laptop).closed)).toBe(4403);
    // Logging in again works.
    expect((await me(await login(user.email, user.password))).data?.me.id).toBe(user.id);
  });

  it('a password change revokes the earlier tokens and closes the sockets', async () => {
    const user = await newUser('viewer');
    const token = await login(user.email, user.password);
    const socket = openSubscription(token);
    await waitConnected(socket);
    await gw.admin('mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }', {
      id: user.id,
      i: { password: 'another-long-password-2' },
    });
    expect(errorCodes(await me(token))).toEqual(['UNAUTHENTICATED']);
    expect(await closedWithin(socket.closed)).toBe(4403);
    expect((await me(await login(user.email, 'another-long-password-2'))).data?.me.id).toBe(user.id);
  });

  it("changing one's own password needs the current one, revokes the earlier tokens and gives a new one", async () => {
    const user = await newUser('viewer');
    const token = await login(user.email, user.password);
    const other = await login(user.email, user.password);
    const CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }';

    const wrong = await gw.gql(CHANGE, { c: 'not-the-password', n: 'brand-new-password-3' }, token);
    expect(errorCodes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect((await me(token)).data?.me.id).toBe(user.id);

    const changed = await gw.gql<{ changePassword: { token: string } }>(CHANGE, { c: user.password, n: 'brand-new-password-3' }, token);
    expect(changed.errors).toBeUndefined();
    const fresh = dataOf(changed).changePassword.token;
    expect((await me(fresh)).data?.me.id).toBe(user.id);
    expect(errorCodes(await me(token))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(other))).toEqual(['UNAUTHENTICATED']);
    expect((await gw.gql(LOGIN, { e: user.email, p: user.password })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await me(await login(user.email, 'brand-new-password-3'))).data?.me.id).toBe(user.id);
  });

  it('a role change alone keeps the session (the role is re-read per operation)', async () => {
    const user = await newUser('viewer');
    const token = await login(user.email, user.password);
    await gw.admin('mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }', { id: user.id, i: { role: 'admin' } });
    expect((await gw.gql('{ users { id } }', undefined, token)).errors).toBeUndefined();
  });

  it('deleting a user ends their tokens and sockets', async () => {
    const user = await newUser('admin');
    const token = await login(user.email, user.password);
    const socket = openSubscription(token);
    await waitConnected(socket);
    await gw.admin('mutation($id: ID!) { deleteUser(id: $id) }', { id: user.id });
    expect(errorCodes(await me(token))).toEqual(['UNAUTHENTICATED']);
    expect(await closedWithin(socket.closed)).toBe(4403);
  });

  it('an operation on an open socket re-checks the token (revoked in the database without any announcement)', async () => {
    const user = await newUser('viewer');
    const token = await login(user.email, user.password);
    const c = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(c);
    const query = () =>
      new Promise<{ data?: any; errors?: any[]; closeCode?: number }>((resolve) => {
        c.subscribe(
          { query: '{ me { id } }' },
          {
            next: (value) => resolve(value as any),
            error: (error) => resolve(Array.isArray(error) ? { errors: error } : { closeCode: (error as { code?: number }).code }),
            complete: () => {},
          },
        );
      });
    expect((await query()).data?.me.id).toBe(user.id);
    // Bumped behind the gateway's back: only the per-operation check can notice.
    await gw.services.db.user.update({ where: { id: user.id }, data: { tokenVersion: { increment: 1 } } });
    const after = await query();
    expect(after.data?.me ?? null).toBeNull();
    expect(after.errors?.[0]?.extensions?.code ?? after.closeCode).toBeDefined();
  });
});

describe('login throttling', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ TRUST_PROXY: 'true' });
  });
  afterAll(() => gw?.stop());

  const login = (email: string, password: string, ip: string) =>
    postGraphQL(gw.url, JSON.stringify({ query: LOGIN, variables: { e: email, p: password } }), { 'x-forwarded-for': ip });

  it('slows the hammering IP exponentially while the owner gets in from another address', async () => {
    const attacker = '203.0.113.66';
    for (let i = 0; i < LOGIN_POLICIES.pair.free; i++) {
      expect(errorCodes((await login(ADMIN_EMAIL, `guess-${i}`, attacker)).json)).toEqual(['UNAUTHENTICATED']);
    }
    const first = await login(ADMIN_EMAIL, 'guess-x', attacker);
    expect(first.status).toBe(429);
    const firstWait = onlyError(first.json).extensions?.retryAfter as number;
    expect(firstWait).toBeGreaterThanOrEqual(1);
    expect(firstWait).toBeLessThanOrEqual(2);
    // Even the right password is refused to the blocked address ...
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, attacker)).status).toBe(429);
    // ... but the owner, from elsewhere, logs in at once.
    const owner = await login(ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.7');
    expect(owner.status).toBe(200);
    expect(owner.json.data.login.token).toBeTruthy();

    // After the wait, one more failure doubles it.
    await sleep(firstWait * 1000 + 100);
    expect(errorCodes((await login(ADMIN_EMAIL, 'guess-y', attacker)).json)).toEqual(['UNAUTHENTICATED']);
    const second = await login(ADMIN_EMAIL, 'guess-z', attacker);
    expect(second.status).toBe(429);
    expect(onlyError(second.json).extensions?.retryAfter).toBeGreaterThanOrEqual(3);
  });

  it('slows a guesser spread over many addresses for the account, but only briefly, so the owner still gets in', async () => {
    const victim = `${unique('victim')}@example.com`;
    await gw.admin(CREATE_USER, { i: { email: victim, password: 'the-right-password', role: 'viewer' } });
    // The owner's usual address, from an earlier session.
    expect((await login(victim, 'the-right-password', '198.51.100.99')).status).toBe(200);
    // One failure from each of 10 addresses: no address is slowed, the account is.
    for (let i = 0; i < LOGIN_POLICIES.account.free; i++) {
      expect(errorCodes((await login(victim, `guess-${i}`, `192.0.2.${10 + i}`)).json)).toEqual(['UNAUTHENTICATED']);
    }
    const owner = await login(victim, 'the-right-password', '198.51.100.8');
    expect(owner.status).toBe(429);
    const wait = onlyError(owner.json).extensions?.retryAfter as number;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(LOGIN_POLICIES.account.maxMs / 1000);
    await sleep(wait * 1000 + 100);
    const later = await login(victim, 'the-right-password', '198.51.100.8');
    expect(later.status).toBe(200);
    expect(later.json.data.login.token).toBeTruthy();

    // Again from 10 more addresses: a new address waits, the address that logged in before does not.
    for (let i = 0; i < LOGIN_POLICIES.account.free; i++) {
      expect(errorCodes((await login(victim, `again-${i}`, `192.0.2.${100 + i}`)).json)).toEqual(['UNAUTHENTICATED']);
    }
    expect((await login(victim, 'the-right-password', '198.51.100.50')).status).toBe(429);
    expect((await login(victim, 'the-right-password', '198.51.100.99')).status).toBe(200);
  });
});

describe('login backoff schedule', () => {
  it('doubles per failure after the free allowance, within each cap', () => {
    const { pair, account } = LOGIN_POLICIES;
    expect(backoffMs(pair, pair.free - 1)).toBe(0);
    expect(backoffMs(pair, pair.free)).toBe(2_000);
    expect(backoffMs(pair, pair.free + 1)).toBe(4_000);
    expect(backoffMs(pair, pair.free + 30)).toBe(pair.maxMs);
    expect(backoffMs(account, account.free + 20)).toBe(30_000);
  });

  it('forgets failures an hour after the last one, and a success clears the pair and the account', async () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter({ now: () => now });
    for (let i = 0; i < 6; i++) await limiter.recordFailure('1.1.1.1', 'a@example.com');
    expect(await limiter.blockedFor('1.1.1.1', 'A@example.com')).toBe(4);
    expect(await limiter.blockedFor('2.2.2.2', 'a@example.com')).toBe(0);
    now += 60 * 60_000;
    expect(await limiter.blockedFor('1.1.1.1', 'a@example.com')).toBe(0);
    for (let i = 0; i < 6; i++) await limiter.recordFailure('1.1.1.1', 'a@example.com');
    await limiter.recordSuccess('1.1.1.1', 'a@example.com');
    expect(await limiter.blockedFor('1.1.1.1', 'a@example.com')).toBe(0);
  });

  it('keeps counting in memory while Redis cannot answer', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const store = new FailoverAttemptStore(new RedisAttemptStore(unreachable, 'test:'), new MemoryAttemptStore(), pino({ level: 'silent' }));
    const limiter = new LoginLimiter({ store });
    for (let i = 0; i < LOGIN_POLICIES.pair.free; i++) await limiter.recordFailure('3.3.3.3', 'b@example.com');
    expect(await limiter.blockedFor('3.3.3.3', 'b@example.com')).toBe(2);
    unreachable.disconnect();
  });
});

describe('/v1 refusals in the caller format', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  const call = async (method: string, path: string) => {
    const res = await fetch(`${gw.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    return { status: res.status, json: await res.json() };
  };

  it.each([
    ['GET', '/v1/chat/completions', 405],
    ['GET', '/v1/responses', 405],
    ['PUT', '/v1/embeddings', 405],
    ['POST', '/v1/models', 405],
    ['POST', '/v1/unknown', 404],
  ])('%s %s → %i in the OpenAI error format', async (method, path, status) => {
    const res = await call(method, path);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { message: expect.stringContaining(path), type: expect.any(String) } });
    expect(res.json.type).toBeUndefined();
  });

  it.each([
    ['GET', '/v1/messages', 405, 'invalid_request_error'],
    ['GET', '/v1/messages/count_tokens', 405, 'invalid_request_error'],
    ['POST', '/v1/messages/batches', 404, 'not_found_error'],
  ])('%s %s → %i in the Anthropic error format', async (method, path, status, type) => {
    const res = await call(method, path);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ type: 'error', error: { type, message: expect.stringContaining(path) } });
  });
});

const noRedis = await skipUnlessServices('Login throttling shared through Redis', { redis: true });

(noRedis ? describe.skip : describe)('login throttling shared by instances through Redis', () => {
  const prefix = `llmgw-test:login:${randomBytes(4).toString('hex')}:`;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const env = { TRUST_PROXY: 'true', REDIS_URL, REDIS_KEY_PREFIX: prefix };
    [a, b] = await Promise.all([startTestGateway(env), startTestGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deletePrefix(prefix);
  });

  const login = (gw: TestGateway, password: string, ip: string) =>
    postGraphQL(gw.url, JSON.stringify({ query: LOGIN, variables: { e: ADMIN_EMAIL, p: password } }), { 'x-forwarded-for': ip });

  it('failures counted through one instance slow the same address on the other', async () => {
    const attacker = '203.0.113.99';
    for (let i = 0; i < LOGIN_POLICIES.pair.free; i++) {
      expect((await login(i % 2 ? a : b, `guess-${i}`, attacker)).status).toBe(200);
    }
    expect((await login(a, ADMIN_PASSWORD, attacker)).status).toBe(429);
    expect((await login(b, ADMIN_PASSWORD, attacker)).status).toBe(429);
    // Nothing about the address or the account is stored in the clear.
    const client = new Redis(REDIS_URL);
    try {
      const names = await client.keys(`${prefix}login:*`);
      expect(names.length).toBeGreaterThanOrEqual(3);
      for (const name of names) expect(name).not.toMatch(/203\.0\.113|example\.com/);
    } finally {
      client.disconnect();
    }
    // The owner elsewhere is not affected, through either instance.
    expect((await login(b, ADMIN_PASSWORD, '198.51.100.20')).status).toBe(200);
  });
});
