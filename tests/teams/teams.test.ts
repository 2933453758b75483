import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey, createUser, postOperation, signIn, type CreatedKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addPricedModel, DEFAULT_COST, keyView, useLimiter, midMinuteClock } from '../limits/gateway-helpers.js';
import { createModel } from '../support/admin.js';
import { eventually } from '../support/wait.js';
import { createTeam, jsonRequest, setTeamMember } from './support.js';

describe('teams, end users, tags and per-model limits through a running gateway', () => {
  let gw: TestGateway;
  let mock: MockUpstream;
  const clock = midMinuteClock();
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    gw = await startTestGateway();
    mock = await startOpenAIChatMock();
    await addPricedModel(gw, mock.url);
    const providerId = (await gw.admin<{ providers: Array<{ id: string }> }>('{ providers { id } }')).providers[0].id;
    await createModel(gw, providerId, 'cheap-x', 'gpt-4o-mini');
    await createModel(gw, providerId, 'embed-x', 'text-embedding-3-small', { mode: 'embedding' });
    await useLimiter(gw, { now: clock.now, redisUrl: null });
  });
  afterAll(async () => {
    await gw?.stop();
    await mock?.close();
  });

  const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const anthropic = (key: string) => new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
  const flushLogs = () => gw.services.requestLogs.flush();

  test('a team budget stops every key of the team, naming the team, in each caller format', async () => {
    const teamId = await createTeam(gw, { name: 'budgeted', budgetUsd: DEFAULT_COST * 2.5, budgetPeriod: 'weekly' });
    const one = await createKey(gw, { name: 'one', teamId });
    const two = await createKey(gw, { name: 'two', teamId });
    const outsider = await createKey(gw, { name: 'outsider' });
    await openai(one.key).chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    await openai(two.key).chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    await openai(one.key).chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    await eventually(async () => {
      const e = await openai(two.key)
        .chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
      expect((e as InstanceType<typeof OpenAI.APIError>).message).toMatch(/Budget exceeded for team "budgeted".*weekly budget/);
    });
    const refused = await anthropic(one.key)
      .messages.create({ model: 'gpt-x', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    expect((refused as InstanceType<typeof Anthropic.APIError>).status).toBe(429);
    expect(JSON.stringify((refused as InstanceType<typeof Anthropic.APIError>).error)).toMatch(/billing_error|team "budgeted"/);
    // A key outside the team is not affected.
    expect((await openai(outsider.key).chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] })).choices.length).toBe(1);
    const team = await gw.admin<{ team: { limitState: { periodSpendUsd: number } } }>('query($id: ID!) { team(id: $id) { limitState { periodSpendUsd } } }', {
      id: teamId,
    });
    expect(team.team.limitState.periodSpendUsd).toBeCloseTo(DEFAULT_COST * 3, 10);
  });

  test("a team's model list refuses other models with 403 in the caller's format", async () => {
    const teamId = await createTeam(gw, { name: 'only-cheap', allowedModels: ['cheap-x'] });
    const { key } = await createKey(gw, { teamId });
    const res = await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${key}` },
      { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
    );
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('model_not_allowed');
    expect(body.error.message).toContain('team "only-cheap"');
    const ok = await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${key}` },
      { model: 'cheap-x', messages: [{ role: 'user', content: 'hi' }] },
    );
    expect(ok.status).toBe(200);
    await ok.text();
  });

  test('per-model RPM on a key and on a team: the limited model stops, others go on', async () => {
    const limitedKey = await createKey(gw, { modelLimits: [{ model: 'gpt-x', rpm: 2 }] });
    const teamId = await createTeam(gw, { name: 'model-limited', modelLimits: [{ model: 'cheap-x', rpm: 1 }] });
    const teamKey = await createKey(gw, { teamId });
    const ask = (key: CreatedKey, model: string) =>
      jsonRequest(`${gw.url}/v1/chat/completions`, { authorization: `Bearer ${key.key}` }, { model, messages: [{ role: 'user', content: 'hi' }] });
    expect((await ask(limitedKey, 'gpt-x')).status).toBe(200);
    expect((await ask(limitedKey, 'gpt-x')).status).toBe(200);
    const third = await ask(limitedKey, 'gpt-x');
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toContain('model "gpt-x" on virtual key');
    for (let i = 0; i < 3; i++) expect((await ask(limitedKey, 'cheap-x')).status).toBe(200);

    expect((await ask(teamKey, 'cheap-x')).status).toBe(200);
    const refused = await ask(teamKey, 'cheap-x');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('model "cheap-x" on team "model-limited"');
    expect((await ask(teamKey, 'gpt-x')).status).toBe(200);
  });

  test('every endpoint counts against the limits: chat, responses, messages, count_tokens, embeddings', async () => {
    const created = await createKey(gw, { rpmLimit: 100 });
    const auth = { authorization: `Bearer ${created.key}` };
    const rpm = async () => (await keyView(gw, created.id)).rateLimitState.rpmUsed;
    const calls: Array<[string, () => Promise<Response>]> = [
      ['chat', () => jsonRequest(`${gw.url}/v1/chat/completions`, auth, { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] })],
      ['responses', () => jsonRequest(`${gw.url}/v1/responses`, auth, { model: 'gpt-x', input: 'hi' })],
      [
        'messages',
        () =>
          jsonRequest(
            `${gw.url}/v1/messages`,
            { 'x-api-key': created.key, 'anthropic-version': '2023-06-01' },
            { model: 'gpt-x', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
          ),
      ],
      [
        'count_tokens',
        () =>
          jsonRequest(
            `${gw.url}/v1/messages/count_tokens`,
            { 'x-api-key': created.key, 'anthropic-version': '2023-06-01' },
            { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
          ),
      ],
      ['embeddings', () => jsonRequest(`${gw.url}/v1/embeddings`, auth, { model: 'embed-x', input: 'hello' })],
    ];
    let expected = 0;
    for (const [name, call] of calls) {
      const res = await call();
      expect(res.status, name).toBe(200);
      await res.text();
      expected += 1;
      expect(await rpm(), name).toBe(expected);
    }
    // And a refusal on each: an RPM of the count so far refuses the next request everywhere.
    await gw.admin('mutation($id: ID!) { updateVirtualKey(id: $id, input: { rpmLimit: 5 }) { id } }', { id: created.id });
    for (const [name, call] of calls) {
      const res = await call();
      expect(res.status, name).toBe(429);
      await res.text();
    }
  });

  test('end-user and tag spend add up to the key, from headers and from OpenAI and Anthropic bodies', async () => {
    const created = await createKey(gw, { name: 'attributed' });
    const client = openai(created.key);
    await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], user: 'alice' });
    await client.chat.completions.create(
      { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-gateway-end-user': 'bob', 'x-gateway-tags': 'web, beta' } },
    );
    await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }], metadata: { tags: 'web' } });
    await anthropic(created.key).messages.create({
      model: 'gpt-x',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hi' }],
      metadata: { user_id: 'carol' },
    });
    await flushLogs();
    type Group = { key: string | null; costUsd: number; requests: number };
    const summary = async (groupBy: string) =>
      (
        await gw.admin<{ usageSummary: { total: { costUsd: number; requests: number }; groups: Group[] } }>(
          'query($f: DateTime!, $t: DateTime!, $k: ID, $g: UsageGroupBy!) { usageSummary(from: $f, to: $t, keyId: $k, groupBy: $g) { total { costUsd requests } groups { key costUsd requests } } }',
          { f: from, t: to, k: created.id, g: groupBy },
        )
      ).usageSummary;
    const byUser = await eventually(async () => {
      const s = await summary('END_USER');
      expect(s.total.requests).toBe(4);
      return s;
    });
    const users = Object.fromEntries(byUser.groups.map((g) => [g.key ?? '(none)', g.costUsd]));
    expect(Object.keys(users).sort()).toEqual(['(none)', 'alice', 'bob', 'carol']);
    const sum = byUser.groups.reduce((s, g) => s + g.costUsd, 0);
    expect(sum).toBeCloseTo(byUser.total.costUsd, 10);
    expect(byUser.total.costUsd).toBeCloseTo(4 * DEFAULT_COST, 10);
    const byKey = await summary('KEY');
    expect(byKey.groups).toHaveLength(1);
    expect(byKey.groups[0].costUsd).toBeCloseTo(sum, 10);

    const byTag = await summary('TAG');
    const tags = Object.fromEntries(byTag.groups.map((g) => [g.key, g.requests]));
    expect(tags).toEqual({ web: 2, beta: 1 });
    expect(byTag.groups.find((g) => g.key === 'web')!.costUsd).toBeCloseTo(2 * DEFAULT_COST, 10);

    const logs = await gw.admin<{ requestLogs: { nodes: Array<{ endUser: string | null; tags: string[] }> } }>(
      'query($k: ID!) { requestLogs(first: 10, filter: { keyId: $k }) { nodes { endUser tags } } }',
      { k: created.id },
    );
    expect(logs.requestLogs.nodes.map((n) => n.endUser).sort()).toEqual(['alice', 'bob', 'carol', null].sort());
  });

  test('per-end-user RPM and budget on a key; a bad end user or tag is a 400 naming the field', async () => {
    const created = await createKey(gw, { endUserLimits: { rpm: 1 } });
    const ask = (user: string) =>
      jsonRequest(
        `${gw.url}/v1/chat/completions`,
        { authorization: `Bearer ${created.key}`, 'x-gateway-end-user': user },
        { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
      );
    expect((await ask('dan')).status).toBe(200);
    const refused = await ask('dan');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('end user "dan"');
    expect((await ask('erin')).status).toBe(200);

    const bad = await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${created.key}` },
      { model: 'gpt-x', user: 42, messages: [{ role: 'user', content: 'hi' }] },
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param?: string; message: string } }).error.message).toMatch(/^user: must be a string/);
    const badTag = await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${created.key}`, 'x-gateway-tags': 'x'.repeat(65) },
      { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
    );
    expect(badTag.status).toBe(400);
  });

  test('roles: a team admin manages only its team; a viewer only reads', async () => {
    const red = await createTeam(gw, { name: 'red' });
    const blue = await createTeam(gw, { name: 'blue' });
    const redKey = await createKey(gw, { name: 'red-key', teamId: red });
    const blueKey = await createKey(gw, { name: 'blue-key', teamId: blue });
    const aliceId = await createUser(gw, { email: 'alice@red.example', password: 'alice-password-1', role: 'viewer' });
    await setTeamMember(gw, aliceId, red, 'team_admin');
    const alice = await signIn(gw.url, 'alice@red.example', 'alice-password-1');
    await createUser(gw, { email: 'val@example.com', password: 'viewer-password-1', role: 'viewer' });
    const viewer = await signIn(gw.url, 'val@example.com', 'viewer-password-1');
    const as = <T = unknown>(token: string, query: string, variables?: Record<string, unknown>) => postOperation<T>(gw.url, query, variables, token);

    const keys = await as<{ virtualKeys: { nodes: unknown[] } }>(alice, '{ virtualKeys(first: 100) { nodes { name teamId } } }');
    expect(keys.errors).toBeUndefined();
    expect(keys.data?.virtualKeys.nodes).toEqual([{ name: 'red-key', teamId: red }]);
    const teams = await as<{ teams: unknown[] }>(alice, '{ teams { name } }');
    expect(teams.data?.teams).toEqual([{ name: 'red' }]);
    expect((await as<{ team: unknown }>(alice, 'query($id: ID!) { team(id: $id) { name } }', { id: blue })).data?.team).toBeNull();

    // Another team's key: refused to change, revoke, rotate or delete.
    for (const mutation of [
      'mutation($id: ID!) { updateVirtualKey(id: $id, input: { rpmLimit: 1 }) { id } }',
      'mutation($id: ID!) { revokeVirtualKey(id: $id) { id } }',
      'mutation($id: ID!) { rotateVirtualKey(id: $id, gracePeriodSeconds: 0) { key } }',
      'mutation($id: ID!) { deleteVirtualKey(id: $id) }',
    ]) {
      const r = await as(alice, mutation, { id: blueKey.id });
      expect(r.errors?.[0]?.extensions?.code, mutation).toBe('FORBIDDEN');
    }
    const stillThere = await gw.admin<{ virtualKeys: { nodes: Array<{ id: string; rpmLimit: number | null }> } }>(
      '{ virtualKeys(first: 500) { nodes { id rpmLimit } } }',
    );
    expect(stillThere.virtualKeys.nodes.find((k) => k.id === blueKey.id)?.rpmLimit).toBeNull();

    // Its own team's key: allowed; a new key lands in its team whatever it asks for.
    expect(
      (
        await as<{ updateVirtualKey: { rpmLimit: number | null } }>(
          alice,
          'mutation($id: ID!) { updateVirtualKey(id: $id, input: { rpmLimit: 7 }) { rpmLimit } }',
          { id: redKey.id },
        )
      ).data?.updateVirtualKey.rpmLimit,
    ).toBe(7);
    const made = await as<{ createVirtualKey: { virtualKey: { teamId: string | null } } }>(
      alice,
      'mutation($t: ID!) { createVirtualKey(input: { name: "alice-made", teamId: $t }) { virtualKey { teamId } } }',
      { t: blue },
    );
    expect(made.data?.createVirtualKey.virtualKey.teamId).toBe(red);
    const moved = await as<{ updateVirtualKey: { teamId: string | null } }>(
      alice,
      'mutation($id: ID!, $t: ID!) { updateVirtualKey(id: $id, input: { teamId: $t }) { teamId } }',
      { id: redKey.id, t: blue },
    );
    expect(moved.data?.updateVirtualKey.teamId).toBe(red);

    // Outside the team's scope: everything else.
    for (const query of ['{ providers { id } }', '{ users { id } }', 'mutation { createTeam(input: { name: "mine" }) { id } }']) {
      const r = await as(alice, query);
      expect(r.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    // Usage and logs: only the team's.
    await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${redKey.key}` },
      { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
    ).then((r) => r.text());
    await jsonRequest(
      `${gw.url}/v1/chat/completions`,
      { authorization: `Bearer ${blueKey.key}` },
      { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
    ).then((r) => r.text());
    await flushLogs();
    await eventually(async () => {
      const usage = await as<{ usageSummary: { groups: unknown[] } }>(
        alice,
        'query($f: DateTime!, $t: DateTime!) { usageSummary(from: $f, to: $t, groupBy: TEAM) { groups { key requests } } }',
        {
          f: from,
          t: to,
        },
      );
      expect(usage.data?.usageSummary.groups).toEqual([{ key: red, requests: 1 }]);
    });
    const logs = await as<{ requestLogs: { nodes: Array<{ teamId: string | null }> } }>(alice, '{ requestLogs(first: 50) { nodes { id teamId } } }');
    expect(logs.data?.requestLogs.nodes.length).toBeGreaterThan(0);
    expect(logs.data?.requestLogs.nodes.every((n) => n.teamId === red)).toBe(true);
    const blueLog = await gw.admin<{ requestLogs: { nodes: Array<{ id: string }> } }>(
      'query($k: ID!) { requestLogs(first: 1, filter: { keyId: $k }) { nodes { id } } }',
      { k: blueKey.id },
    );
    expect(
      (await as<{ requestLog: unknown }>(alice, 'query($id: ID!) { requestLog(id: $id) { id } }', { id: blueLog.requestLogs.nodes[0].id })).data?.requestLog,
    ).toBeNull();
    expect((await as<{ me: unknown }>(alice, '{ me { email role team { name } } }')).data?.me).toEqual({
      email: 'alice@red.example',
      role: 'team_admin',
      team: { name: 'red' },
    });

    // A viewer without a team reads everything and changes nothing.
    expect(
      (await as<{ virtualKeys: { nodes: unknown[] } }>(viewer, '{ virtualKeys(first: 500) { nodes { id } } }')).data?.virtualKeys.nodes.length,
    ).toBeGreaterThan(2);
    const write = await as(viewer, 'mutation { createVirtualKey(input: { name: "nope" }) { key } }');
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
