/**
 * No secret leaves: with an upstream that echoes every credential it gets (in
 * HTTP errors and in mid-stream error events), the provider key and a secret
 * header value must appear in no client response (raw bytes and SDK errors),
 * no request-log row (GraphQL as viewer and admin, and the SQLite file), no
 * health run or public page, no /metrics and no log line.
 *
 * The secrets are random and not shaped like any known key, so only the
 * scrubber's knowledge of the configuration can catch them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedBytes } from '../foundation/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startEchoSecretUpstream, type EchoSecretUpstream, type EchoWire } from '../support/mock-upstreams/echo-secret.js';
import { anthropicClient, createKey, createModel, createProvider, openaiClient, postRaw } from '../support/proxy-fixture.js';
import { createTarget, publicGet, runNow, setMonitoring } from '../health/helpers.js';
import { monitoringKeyPlaintext } from '../../server/health/monitoring-key.js';
import { dataOf, newUserToken } from '../support/admin.js';
import { ANY_WIRE_PROVIDERS as WIRES } from '../support/mock-upstreams/any-wire.js';
import { CLIENT_APIS as CLIENTS, CLIENT_PATHS as PATHS, clientBody as bodyFor } from '../support/client-apis.js';

/** Underscore-joined so the secret is also a valid GraphQL name (used to provoke a GraphQL error below). */
const randomSecret = (prefix: string) => `${prefix}_${randomBytes(18).toString('hex')}`;

describe('secrets never leave the gateway', () => {
  const providerKey = randomSecret('cfg');
  const headerSecret = randomSecret('hdr');
  const metricsToken = randomSecret('mtk');
  const logLines: string[] = [];
  let gw: TestGateway;
  let echo: EchoSecretUpstream;
  let appKey: string;
  let viewerToken: string;
  let requestsSent = 0;
  /** Every text that must be clean, with what it is, checked together at the end of each test. */
  const extraSecrets: string[] = [];
  const secrets = () => [providerKey, headerSecret, metricsToken, appKey, ...extraSecrets, ...instanceSecrets()];
  const instanceSecrets = () => ['jwt-secret', 'encryption-key'].map((name) => readFileSync(path.join(gw.dataDir, name), 'utf8').trim());
  const expectClean = (what: string, text: string) => {
    for (const secret of secrets()) expect(text.includes(secret), `${what} contains a secret`).toBe(false);
  };
  const modelOf = (wire: EchoWire) => `echo-${wire}`;

  beforeAll(async () => {
    echo = await startEchoSecretUpstream({ echoHeaders: ['x-echo-auth'] });
    gw = await startTestGateway({ LOG_LEVEL: 'debug', REQUEST_LOG_FLUSH_MS: '50', METRICS_TOKEN: metricsToken }, undefined, {
      logDestination: { write: (line: string) => void logLines.push(line) },
    });
    for (const { wire, providerType, upstreamModel } of WIRES) {
      const providerId = await createProvider(gw, {
        name: `echo-${wire}`,
        type: providerType,
        baseUrl: echo.baseUrlFor(wire),
        apiKey: providerKey,
        headers: { 'X-Echo-Auth': headerSecret },
      });
      await createModel(gw, providerId, modelOf(wire), upstreamModel);
    }
    appKey = (await createKey(gw, { logBodies: true })).key;
    viewerToken = await newUserToken(gw, { email: 'viewer@example.com', password: 'viewer-password-1', role: 'viewer' });
  });
  afterAll(async () => {
    await gw?.stop();
    await echo?.close();
  });

  describe.each(CLIENTS)('client %s', (api) => {
    it.each(WIRES.map((w) => w.wire))('→ %s: HTTP errors (400 and 500) echoing the key reach the client scrubbed', async (wire) => {
      for (const status of [400, 500]) {
        echo.status = status;
        const before = echo.echoes.length;
        const res = await postRaw(gw, PATHS[api], bodyFor(api, modelOf(wire), false), { authorization: `Bearer ${appKey}` });
        requestsSent++;
        // Control: the upstream did echo both secrets, and the client got its message, scrubbed.
        expect(echo.echoes.length).toBe(before + 1);
        expect(echo.echoes.at(-1)).toContain(providerKey);
        expect(echo.echoes.at(-1)).toContain(headerSecret);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.text).toContain('Incorrect API key provided: [redacted]');
        expectClean(`${api} → ${wire} HTTP ${status} body`, res.text);
        if (api === 'messages') expect(res.json).toMatchObject({ type: 'error', error: { type: expect.any(String) } });
        else expect(res.json).toMatchObject({ error: { message: expect.any(String) } });
      }
      echo.status = 400;
    });

    it.each(WIRES.map((w) => w.wire))('→ %s: a mid-stream error event echoing the key reaches the client scrubbed', async (wire) => {
      const res = await postRaw(gw, PATHS[api], bodyFor(api, modelOf(wire), true), { authorization: `Bearer ${appKey}` });
      requestsSent++;
      expect(echo.echoes.at(-1)).toContain(providerKey);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Partial');
      expect(res.text).toContain('[redacted]');
      expectClean(`${api} → ${wire} stream`, res.text);
    });

    it.each(WIRES.map((w) => w.wire))('→ %s: the official SDK reports the stream error without the key', async (wire) => {
      let caught: unknown;
      const seen: unknown[] = [];
      try {
        if (api === 'messages') {
          const stream = await anthropicClient(gw, appKey).messages.create({
            model: modelOf(wire),
            max_tokens: 64,
            messages: [{ role: 'user', content: 'Say hello' }],
            stream: true,
          });
          for await (const event of stream) seen.push(event);
        } else if (api === 'responses') {
          const stream = await openaiClient(gw, appKey).responses.create({ model: modelOf(wire), input: 'Say hello', stream: true });
          for await (const event of stream) seen.push(event);
        } else {
          const stream = await openaiClient(gw, appKey).chat.completions.create({
            model: modelOf(wire),
            messages: [{ role: 'user', content: 'Say hello' }],
            stream: true,
          });
          for await (const chunk of stream) seen.push(chunk);
        }
      } catch (error) {
        caught = error;
      }
      requestsSent++;
      const reported = JSON.stringify(seen) + String((caught as Error | undefined)?.message ?? '') + JSON.stringify((caught as any)?.error ?? null);
      expectClean(`${api} → ${wire} SDK`, reported);
      // The failure is visible to the SDK (thrown, or a Responses error / failed event), never a silent success.
      const failedEvent = seen.some((e: any) => e?.type === 'error' || e?.type === 'response.failed');
      expect(caught !== undefined || failedEvent, `${api} → ${wire}: the SDK saw no error`).toBe(true);
    });
  });

  it('scrubs the key a request presented from its log row (a client pasting its own key)', async () => {
    const res = await postRaw(
      gw,
      '/v1/chat/completions',
      { model: `unknown-${appKey}`, messages: [{ role: 'user', content: `my key is ${appKey}` }] },
      { authorization: `Bearer ${appKey}` },
    );
    requestsSent++;
    expect(res.status).toBe(404);
  });

  it('health checks through echoing upstreams store and show no secret, admin API and public pages alike', async () => {
    await setMonitoring(gw, true);
    // The health checks' own virtual key must not leak either (checked from here to the end).
    const monitoringKey = monitoringKeyPlaintext(gw.services.settings, gw.services.secretBox);
    expect(monitoringKey).toMatch(/^sk-gw-/);
    extraSecrets.push(monitoringKey!);
    const targets: string[] = [];
    for (const { wire } of WIRES) targets.push(await createTarget(gw, { modelName: modelOf(wire), intervalSeconds: 3600 }));
    for (const id of targets) {
      const run = await runNow(gw, id);
      expect(run.status).toBe('FAILURE');
      expectClean('runHealthCheck', JSON.stringify(run));
    }
    for (const id of targets) {
      const admin = await gw.admin<{ healthRuns: { nodes: Array<{ errorMessage: string | null }> } }>(
        `query($id: ID!) {
          healthTargets { id state errorDistribution { errorType count } recentRuns { errorType errorMessage } }
          healthTarget(id: $id) { id recentRuns { errorType errorMessage } }
          healthRuns(targetId: $id, first: 50) { nodes { errorType errorMessage } }
        }`,
        { id },
      );
      // Control: the stored run carries the upstream's (scrubbed) message.
      expect(admin.healthRuns.nodes[0].errorMessage).toMatch(/redacted/);
      expectClean('health admin API', JSON.stringify(admin));
    }
    for (const id of targets) {
      for (const page of [`/public/health/runs?target_id=${id}`, `/public/health/detail?target_id=${id}`]) {
        const res = await publicGet(gw, page);
        expect(res.status, page).toBe(200);
        expectClean(page, res.text);
      }
    }
    for (const page of ['/public/health/summary', '/public/health/targets']) {
      const res = await publicGet(gw, page);
      expect(res.status, page).toBe(200);
      expectClean(page, res.text);
    }
  });

  it('request logs hold no secret: GraphQL as viewer and as admin, and the database file', async () => {
    const LIST =
      'query($a: String) { requestLogs(first: 200, after: $a) { nodes { id status errorMessage requestedModel userAgent } pageInfo { hasNextPage endCursor } } }';
    // Every page of the log, read to the end.
    const readAll = async (token?: string) => {
      const items: any[] = [];
      const pages: unknown[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = token ? await gw.gql(LIST, { a: after }, token) : { data: await gw.admin(LIST, { a: after }) };
        pages.push(page);
        if (!page.data) return { items, pages };
        items.push(...page.data.requestLogs.nodes);
        if (!page.data.requestLogs.pageInfo.hasNextPage) return { items, pages };
        after = page.data.requestLogs.pageInfo.endCursor;
      }
    };
    // Every proxied request above (plus the health checks' own) is logged once.
    let listed = await readAll();
    for (let i = 0; i < 100 && listed.items.length < requestsSent; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listed = await readAll();
    }
    expect(listed.items.length).toBeGreaterThanOrEqual(requestsSent);
    const messages = listed.items.map((i: any) => i.errorMessage).filter(Boolean);
    // Control: the upstream's echoed message is in the log, scrubbed.
    expect(messages.some((m: string) => m.includes('Incorrect API key provided: [redacted]'))).toBe(true);
    expectClean('requestLogs (admin)', JSON.stringify(listed));

    const asViewer = await readAll(viewerToken);
    expect(asViewer.pages.every((p: any) => p.errors === undefined)).toBe(true);
    expect(asViewer.items.length).toBeGreaterThanOrEqual(requestsSent);
    expectClean('requestLogs (viewer)', JSON.stringify(asViewer.pages));

    const DETAIL = 'query($id: ID!) { requestLog(id: $id) { id errorMessage requestBody responseBody } }';
    let bodies = 0;
    for (const item of listed.items) {
      const detail = await gw.admin<{ requestLog: { requestBody: string | null } }>(DETAIL, { id: item.id });
      if (detail.requestLog.requestBody) bodies++;
      expectClean(`requestLog ${item.id}`, JSON.stringify(detail));
      const viewerDetail = await gw.gql(DETAIL, { id: item.id }, viewerToken);
      expectClean(`requestLog ${item.id} (viewer)`, JSON.stringify(viewerDetail));
    }
    expect(bodies).toBeGreaterThan(0);

    const bytes = await storedBytes(gw);
    for (const secret of [providerKey, headerSecret, appKey, metricsToken, ...extraSecrets]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
  });

  it('GraphQL errors never echo a secret', async () => {
    // A validation error names the unknown field, which here is the provider key.
    const res = await gw.gql(`{ providers { id ${providerKey} } }`, undefined, await gw.adminToken());
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.errors)).toContain('[redacted]');
    expectClean('GraphQL error', JSON.stringify(res));
  });

  it('/metrics holds no secret', async () => {
    const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('echo-');
    expectClean('/metrics', text);
  });

  it('log lines hold no secret, even when a message or an error carries one', async () => {
    // What a careless log call would write: the upstream's text inside a message and an error.
    gw.services.logger.warn({ err: new Error(`upstream said ${providerKey}`), detail: `header was ${headerSecret}` }, `bearer ${appKey}`);
    await new Promise((r) => setTimeout(r, 50));
    expect(logLines.length).toBeGreaterThan(10);
    const last = logLines.find((line) => line.includes('upstream said'));
    expect(last).toContain('upstream said [redacted]');
    expect(last).toContain('header was [redacted]');
    expectClean('pino output', logLines.join(''));
  });

  it('provider headers are write-only: names with hints, never values, for viewers and admins', async () => {
    for (const token of [viewerToken, await gw.adminToken()]) {
      const res = await gw.gql<{ providers: Array<{ name: string; headers: Record<string, string> }> }>(
        '{ providers { name headers apiKeyHint } }',
        undefined,
        token,
      );
      expect(res.errors).toBeUndefined();
      const echoProvider = dataOf(res).providers.find((p) => p.name === 'echo-openai-chat');
      expect(Object.keys(echoProvider?.headers ?? {})).toEqual(['X-Echo-Auth']);
      expect(echoProvider?.headers['X-Echo-Auth']).toContain(headerSecret.slice(-4));
      expectClean('providers { headers }', JSON.stringify(res));
    }
  });
});
