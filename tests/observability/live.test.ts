import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAIError } from '../support/mock-upstreams/openai-chat.js';
import { chat, hello, startTraffic, type Traffic } from './helpers.js';
import { waitFor } from '../support/wait.js';
import { newUserToken } from '../support/admin.js';

let t: Traffic;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTraffic();
});
afterAll(async () => {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await t?.stop();
});

const connect = (token: string) => {
  const c = createClient({
    url: `${t.gw.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(c);
  return c;
};

interface Received {
  events: any[];
  errors: unknown[];
  stop: () => void;
}
function subscribe(c: Client, filter: Record<string, unknown> | null): Received {
  const out: Received = { events: [], errors: [], stop: () => {} };
  out.stop = c.subscribe(
    {
      query: 'subscription($f: RequestLogStreamFilter){ requestLogged(filter: $f) { id requestedModel status keyId keyName latencyMs errorMessage } }',
      variables: { f: filter },
    },
    {
      next: (v: any) => (v.errors ? out.errors.push(...v.errors) : out.events.push(v.data.requestLogged)),
      error: (e) => out.errors.push(e),
      complete: () => {},
    },
  );
  return out;
}

describe('requestLogged subscription', () => {
  it('streams each finished request to an admin, filtered, with the id of its log row', async () => {
    const c = connect(await t.gw.adminToken());
    const all = subscribe(c, { model: 'gpt-x' });
    const errorsOnly = subscribe(c, { statusClass: '5xx' });
    const otherModel = subscribe(c, { model: 'some-other-model' });
    // Registration is asynchronous on the server: send until the first event arrives.
    await waitFor(
      async () => {
        await chat(t.gw, t.key, hello('gpt-x', 'live one'));
        return all.events.length > 0;
      },
      { timeoutMs: 8000, intervalMs: 100 },
    );
    expect(all.errors).toEqual([]);
    expect(all.events[0]).toMatchObject({ requestedModel: 'gpt-x', status: 200, keyId: t.keyId, keyName: 'app-one' });

    t.oai.enqueue({ type: 'error', status: 500, body: openAIError(500, 'live failure') });
    await chat(t.gw, t.key, hello('gpt-x', 'live failure'));
    await waitFor(() => errorsOnly.events.length > 0, { timeoutMs: 10_000 });
    expect(errorsOnly.events.every((e) => e.status >= 500)).toBe(true);
    expect(errorsOnly.events[0].errorMessage).toContain('live failure');
    expect(otherModel.events).toEqual([]);

    await t.gw.services.requestLogs.flush();
    const last = all.events.at(-1);
    const stored = await t.gw.admin<{ requestLog: unknown }>('query($id: ID!){ requestLog(id: $id) { id status latencyMs } }', { id: last.id });
    expect(stored.requestLog).toMatchObject({ id: last.id, status: last.status, latencyMs: last.latencyMs });
    all.stop();
    errorsOnly.stop();
    otherModel.stop();
  });

  it('refuses a viewer', async () => {
    const email = `live-viewer-${Date.now()}@example.com`;
    const viewer = subscribe(connect(await newUserToken(t.gw, { email, password: 'viewer-password-1', role: 'viewer' })), null);
    await waitFor(() => viewer.errors.length > 0, { timeoutMs: 5000 });
    await chat(t.gw, t.key, hello());
    expect(viewer.events).toEqual([]);
    expect(JSON.stringify(viewer.errors)).toMatch(/Forbidden|FORBIDDEN/);
  });
});
