/**
 * Revocation across instances: a logout through one gateway closes the user's
 * socket on another (the announcement travels over Redis), and the other's
 * per-operation check refuses the old token (the version is in the shared database).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataOf, postOperation } from '../support/admin.js';
import { skipUnlessServices } from '../support/services.js';
import { startGatewayProcess, startTwoInstances, type GatewayProcess, type TwoInstances } from '../scaleout/support.js';
import { waitFor } from '../support/wait.js';

const skip = await skipUnlessServices('Cross-instance revocation', { postgres: true, redis: true });

(skip ? describe.skip : describe)('session revocation on two gateway processes', () => {
  let instances: TwoInstances<GatewayProcess> | undefined;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    instances = await startTwoInstances('revocation', startGatewayProcess);
    ({ a, b } = instances);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map(async (c) => c.dispose()));
    await instances?.stop();
  });

  test('logout on A closes the socket on B and B refuses the token', async () => {
    await a.admin('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: 'roaming@example.com', password: 'roaming-password-1', role: 'viewer' },
    });
    const login = await postOperation<{ login: { token: string } }>(
      a.url,
      'mutation { login(email: "roaming@example.com", password: "roaming-password-1") { token } }',
    );
    const token = dataOf(login).login.token;
    expect((await postOperation<{ me: { email: string } }>(b.url, '{ me { email } }', undefined, token)).data?.me.email).toBe('roaming@example.com');

    const c = createClient({
      url: b.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(c);
    let connected = false;
    c.on('connected', () => (connected = true));
    let closeCode: number | undefined;
    c.subscribe(
      { query: 'subscription { configChanged { version } }' },
      {
        next: () => {},
        error: (error) => (closeCode = (error as { code?: number }).code),
        complete: () => {},
      },
    );
    await waitFor(() => (connected ? true : undefined), { timeoutMs: 10_000, what: 'the socket on B' });

    expect((await postOperation<{ logout: boolean }>(a.url, 'mutation { logout }', undefined, token)).data?.logout).toBe(true);
    await waitFor(() => closeCode, { timeoutMs: 10_000, what: 'B closing the socket' });
    expect(closeCode).toBe(4403);
    expect((await postOperation(b.url, '{ me { email } }', undefined, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
