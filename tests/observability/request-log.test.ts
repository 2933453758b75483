import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAIError } from '../support/mock-upstreams/openai-chat.js';
import { allLogs, chat, hello, LOG_FIELDS, PRICES, startTraffic, type Traffic } from './helpers.js';
import { createKey, dataOf, newUserToken } from '../support/admin.js';

let t: Traffic;
beforeAll(async () => {
  t = await startTraffic();
});
afterAll(async () => {
  await t?.stop();
});

/** A log row's detail with its bodies (null when not logged or not shown). */
type Detail = { requestLog: { requestBody: string | null; responseBody: string | null } };
const detail = (id: string, token?: string) =>
  t.gw.gql<Detail>(`query($id: ID!){ requestLog(id: $id) { ${LOG_FIELDS} requestBody responseBody } }`, { id }, token);

describe('request log rows', () => {
  it('holds the target, tokens, cost and latency of a non-stream request', async () => {
    t.oai.setUsage({ input: 100, output: 20, cached: 40 });
    const res = await chat(t.gw, t.key, hello('gpt-x', 'price me'));
    t.oai.setUsage({ input: 12, output: 8 });
    expect(res.status).toBe(200);
    await t.gw.services.requestLogs.flush();

    const [row] = (await allLogs(t.gw, { keyId: t.keyId })).filter((r) => r.inputTokens === 100);
    expect(row).toMatchObject({
      keyId: t.keyId,
      keyName: 'app-one',
      clientApi: 'chat-completions',
      requestedModel: 'gpt-x',
      modelId: t.modelId,
      targetModel: 'gpt-4o',
      providerId: t.providerId,
      providerName: 'oai',
      attempts: 1,
      stream: false,
      status: 200,
      errorClass: null,
      inputTokens: 100,
      outputTokens: 20,
      cachedTokens: 40,
      userAgent: 'obs-test/1.0',
      clientIp: '127.0.0.1',
    });
    expect(row.keyPrefix).toMatch(/^sk-gw-/);
    // 60 plain input + 40 cached (cache-read price) + 20 output
    expect(row.costUsd).toBeCloseTo(60 * PRICES.inputPrice + 40 * PRICES.cacheReadPrice + 20 * PRICES.outputPrice, 12);
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    expect(row.latencyMs).toBeLessThanOrEqual(Math.ceil(res.ms) + 5);
    expect(row.ttftMs).toBeLessThanOrEqual(row.latencyMs);
    expect(Math.abs(Date.parse(row.createdAt) - Date.now())).toBeLessThan(60_000);
  });

  it('records a stream with its time to first token', async () => {
    const res = await chat(t.gw, t.key, { ...hello('gpt-x', 'stream me'), stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    await t.gw.services.requestLogs.flush();
    const rows = await allLogs(t.gw, { keyId: t.keyId });
    const row = rows.find((r) => r.stream);
    expect(row).toMatchObject({ status: 200, inputTokens: 12, outputTokens: 8, targetModel: 'gpt-4o' });
    expect(row.ttftMs).not.toBeNull();
    expect(row.ttftMs).toBeLessThanOrEqual(row.latencyMs);
    expect(row.costUsd).toBeCloseTo(12 * PRICES.inputPrice + 8 * PRICES.outputPrice, 12);
  });

  it('finds a failed request by status class and by text in its error', async () => {
    t.oai.enqueue({ type: 'error', status: 500, body: openAIError(500, 'Kaboom: the flux capacitor melted') });
    const failed = await chat(t.gw, t.key, hello());
    expect(failed.status).toBe(500);
    const unknown = await chat(t.gw, t.key, hello('no-such-model'));
    expect(unknown.status).toBe(404);
    await t.gw.services.requestLogs.flush();

    const byText = await allLogs(t.gw, { search: 'FLUX capacitor' });
    expect(byText).toHaveLength(1);
    expect(byText[0]).toMatchObject({ status: 500, errorClass: 'upstream', providerName: 'oai' });
    expect(byText[0].errorMessage).toContain('flux capacitor');

    const fiveXX = await allLogs(t.gw, { statusClass: '5xx' });
    expect(fiveXX.map((r) => r.id)).toEqual(byText.map((r) => r.id));
    const fourXX = await allLogs(t.gw, { statusClass: '4xx' });
    expect(fourXX.some((r) => r.requestedModel === 'no-such-model' && r.status === 404 && r.modelId === null)).toBe(true);
    expect(await allLogs(t.gw, { model: 'no-such-model', status: 404 })).toHaveLength(1);

    const bad = await t.gw.gql('{ requestLogs(filter: { statusClass: "6xx" }) { pageInfo { hasNextPage } } }', undefined, await t.gw.adminToken());
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages as a connection with keyset cursors: every row once, forwards and back, with filters', async () => {
    const all = await allLogs(t.gw);
    expect(all.length).toBeGreaterThan(3);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const PAGE =
      'query($f: Int, $a: String, $l: Int, $b: String){ requestLogs(first: $f, after: $a, last: $l, before: $b) { nodes { id } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    type Page = {
      requestLogs: {
        nodes: Array<{ id: string }>;
        edges: Array<{ cursor: string }>;
        pageInfo: { hasNextPage: boolean; startCursor: string | null; endCursor: string | null };
      };
    };
    let second: Page['requestLogs'] | undefined;
    do {
      const res: Page = await t.gw.admin<Page>(PAGE, { f: 2, a: after });
      seen.push(...res.requestLogs.nodes.map((r) => r.id));
      expect(res.requestLogs.pageInfo.endCursor).toBe(res.requestLogs.edges.at(-1)?.cursor);
      after = res.requestLogs.pageInfo.hasNextPage ? res.requestLogs.pageInfo.endCursor : null;
      pages++;
      if (pages === 2) second = res.requestLogs;
    } while (after && pages < 1_000);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(pages).toBe(Math.ceil(all.length / 2));
    // Back from the second page: the first one again, in the same order.
    const back = await t.gw.admin<Page>(PAGE, { l: 2, b: second?.pageInfo.startCursor });
    expect(back.requestLogs.nodes.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));

    const ok = await allLogs(t.gw, { statusClass: '2xx' });
    const first = await t.gw.admin<{ requestLogs: { nodes: Array<{ id: string }>; pageInfo: { endCursor: string | null } } }>(
      '{ requestLogs(first: 1, filter: { statusClass: "2xx" }) { nodes { id } pageInfo { endCursor } } }',
    );
    const next = await t.gw.admin<{ requestLogs: { nodes: Array<{ id: string }> } }>(
      'query($a: String){ requestLogs(first: 1, after: $a, filter: { statusClass: "2xx" }) { nodes { id status } } }',
      {
        a: first.requestLogs.pageInfo.endCursor,
      },
    );
    expect([first.requestLogs.nodes[0].id, next.requestLogs.nodes[0].id]).toEqual(ok.slice(0, 2).map((r) => r.id));

    const bad = await t.gw.gql('{ requestLogs(after: "not-a-cursor") { nodes { id } } }', undefined, await t.gw.adminToken());
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages newest first, within a time range', async () => {
    const all = await allLogs(t.gw);
    const page = await t.gw.admin<{ requestLogs: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean } } }>(
      '{ requestLogs(first: 2) { nodes { id createdAt } pageInfo { hasNextPage } } }',
    );
    expect(page.requestLogs.nodes.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    expect(page.requestLogs.pageInfo.hasNextPage).toBe(all.length > 2);
    const times = all.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const future = await allLogs(t.gw, { from: new Date(Date.now() + 60_000).toISOString() });
    expect(future).toHaveLength(0);
    const past = await allLogs(t.gw, { to: new Date(Date.now() + 60_000).toISOString(), from: new Date(Date.now() - 600_000).toISOString() });
    expect(past).toHaveLength(all.length);
  });
});

describe('body logging', () => {
  const SECRET_FIELD = 'hunter2-very-private';
  const KEY_IN_TEXT = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUV123456';

  it('stores no body when the key has body logging off', async () => {
    await chat(t.gw, t.key, hello('gpt-x', 'no bodies please'));
    await t.gw.services.requestLogs.flush();
    const [row] = (await allLogs(t.gw, { keyId: t.keyId })).slice(0, 1);
    const result = await detail(row.id, await t.gw.adminToken());
    expect(result.data?.requestLog.requestBody).toBeNull();
    expect(result.data?.requestLog.responseBody).toBeNull();
  });

  it('stores scrubbed, capped bodies when it is on, for admins only', async () => {
    const logged = await createKey(t.gw, { name: 'with-bodies', logBodies: true });
    const small = await chat(t.gw, logged.key, {
      ...hello('gpt-x', `my key is ${KEY_IN_TEXT} ok`),
      metadata: { api_key: SECRET_FIELD, note: 'keep me' },
    });
    expect(small.status).toBe(200);
    const big = await chat(t.gw, logged.key, hello('gpt-x', 'x'.repeat(100_000)));
    expect(big.status).toBe(200);
    await t.gw.services.requestLogs.flush();

    const rows = await allLogs(t.gw, { keyId: logged.id });
    expect(rows).toHaveLength(2);
    const smallRow = rows[1]; // newest first: the small request came first
    const { requestLog: s } = dataOf(await detail(smallRow.id, await t.gw.adminToken()));
    expect(s.requestBody).toContain('keep me');
    expect(s.requestBody).toContain('"api_key":"[redacted]"');
    expect(s.requestBody).not.toContain(SECRET_FIELD);
    expect(s.requestBody).not.toContain(KEY_IN_TEXT);
    expect(s.requestBody).toContain('[redacted]');
    // The response echoes the user text; it is scrubbed too.
    expect(s.responseBody).toContain('Hello from openai-chat');
    expect(s.responseBody).not.toContain(KEY_IN_TEXT);
    expect(JSON.parse(s.responseBody!).object).toBe('chat.completion');

    const { requestLog: b } = dataOf(await detail(rows[0].id, await t.gw.adminToken()));
    const marker = /…\[truncated (\d+) bytes\]$/.exec(b.requestBody!);
    expect(marker).not.toBeNull();
    const kept = b.requestBody!.slice(0, marker!.index);
    expect(Buffer.byteLength(kept)).toBe(32 * 1024);
    const sent = Buffer.byteLength(JSON.stringify(hello('gpt-x', 'x'.repeat(100_000))));
    expect(Buffer.byteLength(kept) + Number(marker![1])).toBe(sent);

    // A viewer reads the row but not the bodies.
    const email = `viewer-${Date.now()}@example.com`;
    const viewerToken = await newUserToken(t.gw, { email, password: 'viewer-password-1', role: 'viewer' });
    const asViewer = await detail(smallRow.id, viewerToken);
    expect(asViewer.errors).toBeUndefined();
    expect(asViewer.data?.requestLog).toMatchObject({ id: smallRow.id, requestBody: null, responseBody: null });
    const list = await t.gw.gql<{ requestLogs: { nodes: unknown[] } }>('{ requestLogs(first: 1) { nodes { id } } }', undefined, viewerToken);
    expect(list.data?.requestLogs.nodes).toHaveLength(1);
  });
});
