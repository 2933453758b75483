import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { gqlRaw, onlyError, postGraphQL } from './helpers.js';
import { createModel, createProvider } from '../support/admin.js';

const LIMIT = 1024 * 1024;

describe('bad input to /graphql', () => {
  let gateway: TestGateway;
  let token: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gateway = await startTestGateway();
    token = await gateway.adminToken();
    auth = { authorization: `Bearer ${token}` };
    // Something for nested queries to walk through.
    const providerId = await createProvider(gateway, { name: 'p', type: 'openai', baseUrl: 'https://x.test', apiKey: undefined });
    await createModel(gateway, providerId, 'm', 'x');
  });
  afterAll(() => gateway?.stop());

  it('answers malformed JSON with 400 and an error body', async () => {
    const res = await postGraphQL(gateway.url, '{"query": "{ me { id } }"', auth);
    expect(res.status).toBe(400);
    expect(onlyError(res.json).message).toMatch(/invalid JSON/i);
    expect(res.json.data).toBeUndefined();
  });

  it('answers a body without a query with a BAD_REQUEST error', async () => {
    const res = await postGraphQL(gateway.url, JSON.stringify({ variables: {} }), auth);
    const error = onlyError(res.json);
    expect(error.message).toBe('Must provide query string.');
    expect(error.extensions?.code).toBe('BAD_REQUEST');
    const strict = await postGraphQL(gateway.url, JSON.stringify({ variables: {} }), { ...auth, accept: 'application/graphql-response+json' });
    expect(strict.status).toBe(400);
  });

  it('reports a syntax error with its location', async () => {
    const res = await gqlRaw(gateway, '{ providers { id ', undefined, token);
    // application/json responses keep 200 for request errors (GraphQL over HTTP) ...
    expect(res.status).toBe(200);
    const error = onlyError(res.json);
    expect(error.message).toMatch(/^Syntax Error: Expected Name, found <EOF>/);
    expect(error.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.json.data).toBeUndefined();
    // ... while clients that accept application/graphql-response+json get 400.
    const strict = await gqlRaw(gateway, '{ providers { id ', undefined, token, { accept: 'application/graphql-response+json' });
    expect(strict.status).toBe(400);
  });

  it('refuses variables of the wrong type, naming the variable', async () => {
    const res = await gqlRaw(gateway, 'query($take: Int) { providers(take: $take) { id } }', { take: 'ten' }, token);
    expect(res.status).toBe(400);
    expect(onlyError(res.json).message).toMatch(/Variable "\$take" got invalid value "ten"; Int cannot represent/);

    const input = await gqlRaw(
      gateway,
      'mutation($i: CreateVirtualKeyInput!) { createVirtualKey(input: $i) { key } }',
      { i: { name: 'k', rpmLimit: 'lots' } },
      token,
    );
    expect(onlyError(input.json).message).toMatch(/rpmLimit/);
    expect(input.json.data ?? null).toBeNull();
    expect((await gateway.admin<{ overview: { virtualKeys: number } }>('{ overview { virtualKeys } }')).overview.virtualKeys).toBe(0);
  });

  it('refuses an unknown field', async () => {
    const res = await gqlRaw(gateway, '{ providers { id secretKey } }', undefined, token);
    const error = onlyError(res.json);
    expect(error.message).toBe('Cannot query field "secretKey" on type "Provider".');
    expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a query deeper than 10 levels', async () => {
    let selection = 'id';
    for (let i = 0; i < 6; i++) selection = `models { provider { ${selection} } }`;
    const res = await gqlRaw(gateway, `{ providers { ${selection} } }`, undefined, token);
    expect(onlyError(res.json).message).toMatch(/Query depth limit of 10 exceeded, found 14/);
    expect(res.json.data ?? null).toBeNull();

    // Control: the same shape within the limit is answered.
    const shallow = await gqlRaw(gateway, '{ providers { models { provider { models { provider { id } } } } } }', undefined, token);
    expect(shallow.json.errors).toBeUndefined();
    expect(shallow.json.data.providers[0].models[0].provider.models[0].provider.id).toBeTruthy();
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ');
    const res = await gqlRaw(gateway, `{ ${aliases} }`, undefined, token);
    expect(onlyError(res.json).message).toMatch(/Aliases limit of 30 exceeded, found 40/);
    expect(res.json.data ?? null).toBeNull();
  });

  it('refuses a body over 1 MB with 413 and an error body', async () => {
    const body = JSON.stringify({ query: '{ me { id } }', variables: { padding: 'x'.repeat(LIMIT) } });
    const res = await postGraphQL(gateway.url, body, auth);
    expect(res.status).toBe(413);
    const error = onlyError(res.json);
    expect(error.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toBe(`Request body exceeds the limit of ${LIMIT} bytes`);

    // Control: a body just under the limit is read and answered.
    const fits = JSON.stringify({ query: '{ me { id } }', variables: { padding: 'x'.repeat(LIMIT - 200) } });
    const ok = await postGraphQL(gateway.url, fits, auth);
    expect(ok.status).toBe(200);
    expect(ok.json.data.me.id).toBeTruthy();
  });

  it('refuses an oversized chunked body that declares no length', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${gateway.url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...auth } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write('{"query":"{ me { id } }","variables":{"padding":"');
      const chunk = 'y'.repeat(64 * 1024);
      const write = (left: number) => {
        if (left <= 0) return req.end('"}}');
        if (req.write(chunk)) setImmediate(() => write(left - 1));
        else req.once('drain', () => write(left - 1));
      };
      write(20); // 1.25 MB in 64 KB chunks
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps serving after all of the above', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const data = await gateway.admin<{ providers: unknown[] }>('{ me { email } providers { name models { name } } }');
    expect(data.providers).toEqual([{ name: 'p', models: [{ name: 'm' }] }]);
  });
});
