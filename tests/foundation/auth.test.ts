import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { dataOf } from '../support/admin.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestGateway, type TestGateway } from '../support/gateway.js';
import { errorCodes, gqlRaw, onlyError, postGraphQL, unique } from './helpers.js';

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresIn } }';
const CREATE_PROVIDER = 'mutation($i: CreateProviderInput!) { createProvider(input: $i) { id name } }';
const providerInput = () => ({ name: unique('p'), type: 'openai', baseUrl: 'https://api.example.test/v1' });

describe('admin authentication', () => {
  let gateway: TestGateway;
  let adminId: string;
  let jwtSecret: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    adminId = (await gateway.admin<{ me: { id: string } }>('{ me { id } }')).me.id;
    jwtSecret = readFileSync(path.join(gateway.dataDir, 'jwt-secret'), 'utf8').trim();
  });
  afterAll(() => gateway?.stop());

  const sign = (secret: string, opts: { exp?: number | string; issuer?: string; role?: string } = {}) =>
    new SignJWT({ email: ADMIN_EMAIL, role: opts.role ?? 'admin', ver: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(adminId)
      .setIssuer(opts.issuer ?? 'llm-gateway')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(opts.exp ?? '1h')
      .sign(new TextEncoder().encode(secret));

  const expectUnauthenticated = (result: { data?: any; errors?: any[] }) => {
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.data?.me ?? null).toBeNull();
  };

  describe('login', () => {
    it('gives a JWT for the right password, usable as a Bearer token', async () => {
      const result = await gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD });
      expect(result.errors).toBeUndefined();
      const { token, expiresIn } = dataOf(result).login;
      expect(token.split('.')).toHaveLength(3);
      expect(expiresIn).toBe('12h');
      const claims = decodeJwt(token);
      expect(claims.sub).toBe(adminId);
      expect(claims.iss).toBe('llm-gateway');
      // Default expiry: 12 hours.
      expect(claims.exp! - claims.iat!).toBe(12 * 3600);
      const me = await gateway.gql<{ me: { lastLoginAt: string | null } }>('{ me { email role lastLoginAt } }', undefined, token);
      expect(me.errors).toBeUndefined();
      expect(me.data?.me).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
      expect(me.data?.me.lastLoginAt).not.toBeNull();
    });

    it('accepts the email in any letter case', async () => {
      const result = await gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: ADMIN_EMAIL.toUpperCase(), p: ADMIN_PASSWORD });
      expect(result.errors).toBeUndefined();
      expect(result.data?.login.token).toBeTruthy();
    });

    it('refuses a wrong password', async () => {
      const result = await gateway.gql(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD + 'x' });
      const error = onlyError(result);
      expect(error.extensions?.code).toBe('UNAUTHENTICATED');
      expect(error.message).toBe('Invalid email or password');
      expect(result.data).toBeNull();
    });

    it('refuses an unknown user with the same message (no account enumeration)', async () => {
      const result = await gateway.gql(LOGIN, { e: 'nobody@example.com', p: ADMIN_PASSWORD });
      const error = onlyError(result);
      expect(error.extensions?.code).toBe('UNAUTHENTICATED');
      expect(error.message).toBe('Invalid email or password');
    });
  });

  describe('tokens', () => {
    it('accepts a token signed with the instance secret (control for the cases below)', async () => {
      const result = await gateway.gql<{ me: { id: string } }>('{ me { id } }', undefined, await sign(jwtSecret));
      expect(result.errors).toBeUndefined();
      expect(result.data?.me.id).toBe(adminId);
    });

    it('refuses an expired token', async () => {
      const expired = await sign(jwtSecret, { exp: Math.floor(Date.now() / 1000) - 60 });
      expectUnauthenticated(await gateway.gql('{ me { id } }', undefined, expired));
    });

    it('refuses a token signed with another secret', async () => {
      const foreign = await sign('another-secret-that-is-long-enough-0123456789');
      expectUnauthenticated(await gateway.gql('{ me { id } }', undefined, foreign));
    });

    it('refuses a token from another issuer', async () => {
      expectUnauthenticated(await gateway.gql('{ me { id } }', undefined, await sign(jwtSecret, { issuer: 'someone-else' })));
    });

    it('refuses an unsigned token (alg: none)', async () => {
      const unsigned = new UnsecuredJWT({ email: ADMIN_EMAIL, role: 'admin' }).setSubject(adminId).setIssuer('llm-gateway').setExpirationTime('1h').encode();
      expectUnauthenticated(await gateway.gql('{ me { id } }', undefined, unsigned));
    });

    it('refuses a token whose role is neither admin nor viewer', async () => {
      expectUnauthenticated(await gateway.gql('{ me { id } }', undefined, await sign(jwtSecret, { role: 'root' })));
    });

    it('refuses a missing token, for queries and mutations alike', async () => {
      expectUnauthenticated(await gateway.gql('{ me { id } }'));
      const providers = await gateway.gql('{ providers { id } }');
      expect(errorCodes(providers)).toEqual(['UNAUTHENTICATED']);
      const created = await gateway.gql(CREATE_PROVIDER, { i: providerInput() });
      expect(errorCodes(created)).toEqual(['UNAUTHENTICATED']);
      expect((await gateway.admin<{ overview: { providers: number } }>('{ overview { providers } }')).overview.providers).toBe(0);
    });

    it('refuses malformed Authorization headers', async () => {
      const token = await gateway.adminToken();
      const headers = [
        token, // no scheme
        `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`,
        'Bearer',
        'Bearer ',
        `Bearer ${token} extra`,
        `Bearer ${token.slice(0, -3)}`, // truncated signature
        'Bearer not.a.jwt',
        `Token ${token}`,
      ];
      for (const authorization of headers) {
        const result = await gqlRaw(gateway, '{ me { id } }', undefined, null, { authorization });
        expect(errorCodes(result.json), authorization).toEqual(['UNAUTHENTICATED']);
        expect(result.json.data?.me ?? null).toBeNull();
      }
      // Control: the well-formed header with the same token is accepted.
      const ok = await gqlRaw(gateway, '{ me { id } }', undefined, null, { authorization: `Bearer ${token}` });
      expect(ok.json.data?.me.id).toBe(adminId);
    });
  });

  describe('viewer role', () => {
    let viewerToken: string;
    const viewerEmail = `${unique('viewer')}@example.com`;
    const viewerPassword = 'viewer-password-123';

    beforeAll(async () => {
      const created = await gateway.admin<{ createUser: { role: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id role } }', {
        i: { email: viewerEmail, password: viewerPassword, role: 'viewer' },
      });
      expect(created.createUser.role).toBe('viewer');
      const login = await gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: viewerEmail, p: viewerPassword });
      expect(login.errors).toBeUndefined();
      viewerToken = dataOf(login).login.token;
    });

    it('can read', async () => {
      const result = await gateway.gql<{ me: unknown }>(
        '{ me { email role } providers { id } models { nodes { id } } virtualKeys { nodes { id } } overview { providers } settings { monitoringEnabled } }',
        undefined,
        viewerToken,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.me).toEqual({ email: viewerEmail, role: 'viewer' });
    });

    it('cannot mutate (FORBIDDEN), and nothing is written', async () => {
      const before = (await gateway.admin<{ overview: unknown }>('{ overview { providers users virtualKeys } }')).overview;
      const attempts: Array<[string, Record<string, unknown>]> = [
        [CREATE_PROVIDER, { i: providerInput() }],
        ['mutation($i: CreateVirtualKeyInput!) { createVirtualKey(input: $i) { key } }', { i: { name: 'nope' } }],
        ['mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { email: 'x@example.com', password: 'long-enough-1', role: 'admin' } }],
        ['mutation($i: UpdateSettingsInput!) { updateSettings(input: $i) { monitoringEnabled } }', { i: { monitoringEnabled: true } }],
        ['mutation($id: ID!) { deleteUser(id: $id) }', { id: adminId }],
      ];
      for (const [query, variables] of attempts) {
        const result = await gateway.gql(query, variables, viewerToken);
        const error = onlyError(result);
        expect(error.extensions?.code, query).toBe('FORBIDDEN');
        expect(error.message).toMatch(/admin role/);
      }
      expect((await gateway.admin<{ overview: unknown }>('{ overview { providers users virtualKeys } }')).overview).toEqual(before);
      expect((await gateway.admin<{ settings: { monitoringEnabled: boolean } }>('{ settings { monitoringEnabled } }')).settings.monitoringEnabled).toBe(false);
    });

    it('cannot list users (admin-only query)', async () => {
      const result = await gateway.gql('{ users { email } }', undefined, viewerToken);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    });
  });

  describe('tokens of changed accounts', () => {
    const adminLogin = async () => {
      const email = `${unique('former')}@example.com`;
      const { createUser } = await gateway.admin<{ createUser: { id: string } }>('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
        i: { email, password: 'former-admin-pw', role: 'admin' },
      });
      const login = await gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: email, p: 'former-admin-pw' });
      const token: string = dataOf(login).login.token;
      // Control: the token has admin rights before the change.
      expect(errorCodes(await gateway.gql('{ users { id } }', undefined, token))).toEqual([]);
      return { id: createUser.id, token };
    };

    // The context re-reads the user on every operation, so rights follow the
    // database, not the role frozen in the token.
    it('a deleted admin can no longer mutate with an earlier token', async () => {
      const { id, token } = await adminLogin();
      await gateway.admin('mutation($id: ID!) { deleteUser(id: $id) }', { id });
      const result = await gateway.gql(CREATE_PROVIDER, { i: providerInput() }, token);
      expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
    });

    it('an admin demoted to viewer can no longer mutate with an earlier token', async () => {
      const { id, token } = await adminLogin();
      await gateway.admin('mutation($id: ID!) { updateUser(id: $id, input: { role: viewer }) { role } }', { id });
      const result = await gateway.gql(CREATE_PROVIDER, { i: providerInput() }, token);
      expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    });
  });

  describe('subscriptions over graphql-ws', () => {
    const clients: Client[] = [];
    const wsUrl = () => gateway.url.replace(/^http/, 'ws') + '/graphql';
    const client = (connectionParams?: Record<string, unknown>) => {
      const c = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
      clients.push(c);
      return c;
    };
    afterAll(async () => {
      await Promise.all(clients.map(async (c) => c.dispose()));
    });

    it('delivers configChanged after createProvider to an authenticated socket', async () => {
      const token = await gateway.adminToken();
      const c = client({ authorization: `Bearer ${token}` });
      const events: Array<{ version: number; at: string }> = [];
      let failure: unknown;
      const unsubscribe = c.subscribe<{ configChanged: { version: number; at: string } }>(
        { query: 'subscription { configChanged { version at } }' },
        {
          next: (value) => value.data && events.push(value.data.configChanged),
          error: (error) => (failure = error),
          complete: () => {},
        },
      );
      try {
        // The subscription is registered asynchronously on the server, so keep
        // making changes until one is delivered (normally the first).
        const deadline = Date.now() + 8000;
        while (events.length === 0 && failure === undefined && Date.now() < deadline) {
          await gateway.admin(CREATE_PROVIDER, { i: providerInput() });
          await new Promise((r) => setTimeout(r, 150));
        }
        expect(failure).toBeUndefined();
        expect(events.length).toBeGreaterThan(0);
        const event = events[0];
        expect(event.version).toBeGreaterThan(0);
        expect(event.version).toBeLessThanOrEqual(gateway.services.snapshot.current.version);
        expect(Number.isNaN(Date.parse(event.at))).toBe(false);
      } finally {
        unsubscribe();
      }
    });

    const closeCodeFor = async (c: Client): Promise<number | undefined> => {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 5000);
        c.subscribe(
          { query: 'subscription { configChanged { version } }' },
          {
            next: () => {},
            error: (error) => {
              clearTimeout(timer);
              resolve((error as { code?: number }).code);
            },
            complete: () => {
              clearTimeout(timer);
              resolve(undefined);
            },
          },
        );
      });
    };

    it('closes a socket without a token with 4403', async () => {
      expect(await closeCodeFor(client())).toBe(4403);
    });

    it('closes a socket with an invalid token with 4403', async () => {
      expect(await closeCodeFor(client({ authorization: 'Bearer not.a.jwt' }))).toBe(4403);
      const expired = await sign(jwtSecret, { exp: Math.floor(Date.now() / 1000) - 60 });
      expect(await closeCodeFor(client({ authorization: `Bearer ${expired}` }))).toBe(4403);
    });
  });
});

describe('login brute-force protection', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway?.stop());

  const login = (email: string, password: string) => postGraphQL(gateway.url, JSON.stringify({ query: LOGIN, variables: { e: email, p: password } }));

  it('rate-limits repeated failures for one email with RATE_LIMITED and HTTP 429', async () => {
    const victim = `${unique('victim')}@example.com`;
    await gateway.admin('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: victim, password: 'the-right-password', role: 'viewer' },
    });
    for (let i = 0; i < 5; i++) {
      const res = await login(victim, `wrong-${i}`);
      expect(res.status).toBe(200);
      expect(errorCodes(res.json)).toEqual(['UNAUTHENTICATED']);
    }
    const blocked = await login(victim, 'wrong-again');
    expect(blocked.status).toBe(429);
    const error = onlyError(blocked.json);
    expect(error.extensions?.code).toBe('RATE_LIMITED');
    expect(error.extensions?.retryAfter).toBeGreaterThan(0);
    expect(error.message).toMatch(/Too many login attempts; try again in \d+ s/);

    // While blocked, even the right password is refused ...
    const right = await login(victim.toUpperCase(), 'the-right-password');
    expect(right.status).toBe(429);
    expect(errorCodes(right.json)).toEqual(['RATE_LIMITED']);
    expect(right.json.data ?? null).toBeNull();

    // ... but other accounts from the same address still log in.
    const other = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(other.status).toBe(200);
    expect(other.json.data.login.token).toBeTruthy();
  });

  it('rate-limits many failures from one IP across different emails', async () => {
    // 6 failures so far from this address; the per-IP budget is 20 a minute.
    let status = 200;
    let codes: string[] = [];
    let attempts = 0;
    while (status === 200 && attempts < 30) {
      attempts++;
      const res = await login(`${unique('spray')}@example.com`, 'guess');
      status = res.status;
      codes = errorCodes(res.json);
    }
    expect(status).toBe(429);
    expect(codes).toEqual(['RATE_LIMITED']);
    expect(attempts).toBeLessThanOrEqual(20);
    // A fresh email from the same IP is now refused too, whatever the password.
    const res = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.status).toBe(429);
  });
});

describe('bootstrap admin', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-bootstrap-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const startCapturing = async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // Blank values count as unset: no ADMIN_EMAIL / ADMIN_PASSWORD.
      const gateway = await startTestGateway({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }, dataDir);
      return { gateway, output: written.join('') };
    } finally {
      spy.mockRestore();
    }
  };

  it('creates admin@localhost with a generated password, printed once, that logs in', async () => {
    const first = await startCapturing();
    let password: string;
    try {
      const match = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(first.output);
      expect(match, first.output).not.toBeNull();
      expect(match![1]).toBe('admin@localhost');
      password = match![2]!;
      expect(password.length).toBeGreaterThanOrEqual(12);

      const login = await first.gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: 'admin@localhost', p: password });
      expect(login.errors).toBeUndefined();
      const me = await first.gateway.gql<{ me: unknown }>('{ me { email role } }', undefined, dataOf(login).login.token);
      expect(me.data?.me).toEqual({ email: 'admin@localhost', role: 'admin' });
      const wrong = await first.gateway.gql(LOGIN, { e: 'admin@localhost', p: password + 'x' });
      expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await first.gateway.stop();
    }

    // Second start on the same data: no new account, the password is not printed again.
    const second = await startCapturing();
    try {
      expect(second.output).not.toContain(password);
      expect(second.output).not.toMatch(/Admin account created/);
      const login = await second.gateway.gql<{ login: { token: string; expiresIn: string } }>(LOGIN, { e: 'admin@localhost', p: password });
      expect(login.errors).toBeUndefined();
      const token = dataOf(login).login.token;
      const users = await second.gateway.gql<{ users: unknown }>('{ users { email } }', undefined, token);
      expect(users.data?.users).toEqual([{ email: 'admin@localhost' }]);
    } finally {
      await second.gateway.stop();
    }
  });
});
