/**
 * Prompt rules through the real gateway: every rule kind, in each client API
 * (official SDKs), streamed and not, against mock upstreams that record what
 * they received. Each client goes to an upstream of its own wire format (the
 * passthrough path, which re-encodes the rewritten conversation) and, once, to
 * another format (the translated path). Plus the admin API: CRUD, reorder,
 * preview, invalid regex, and the request log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { createVirtualModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { addUpstream, anthropicClient, createKey, lastRequest, openaiClient, type UpstreamKind } from '../support/proxy-fixture.js';

type Api = 'chat-completions' | 'responses' | 'messages';
const NATIVE: Record<Api, UpstreamKind> = { 'chat-completions': 'openai-chat', responses: 'openai-responses', messages: 'anthropic' };
const SYSTEM = 'You are terse. Be polite.';
const USER = 'Hello there, my name is Bob';
const TOOL = { name: 'lookup', description: 'Look Bob up', parameters: { type: 'object', properties: { who: { type: 'string', description: 'Bob or not' } } } };

let gw: TestGateway;
let key: string;
let openai: OpenAI;
let anthropic: Anthropic;
const mocks = {} as Record<UpstreamKind, MockUpstream>;
const vmIds = {} as Record<string, string>;

const CREATE_RULE = 'mutation($vm: ID!, $i: PromptRuleInput!) { createPromptRule(virtualModelId: $vm, input: $i) { id position kind } }';
const RULES = 'query($vm: ID!) { promptRules(virtualModelId: $vm) { id } }';
const DELETE_RULE = 'mutation($id: ID!) { deletePromptRule(id: $id) }';

async function setRules(vm: string, rules: Array<Record<string, unknown>>): Promise<string[]> {
  const existing = await gw.admin<{ promptRules: Array<{ id: string }> }>(RULES, { vm: vmIds[vm] });
  for (const r of existing.promptRules) await gw.admin(DELETE_RULE, { id: r.id });
  const ids: string[] = [];
  for (const rule of rules) ids.push((await gw.admin<{ createPromptRule: { id: string } }>(CREATE_RULE, { vm: vmIds[vm], i: rule })).createPromptRule.id);
  return ids;
}

/** What an upstream received, as system text and user texts, whatever its wire format. */
function seen(kind: UpstreamKind, body: any): { system: string[]; user: string[]; toolDescription: string } {
  const textOf = (c: any): string[] =>
    typeof c === 'string' ? [c] : Array.isArray(c) ? c.filter((p) => p?.type === 'text' || p?.type === 'input_text').map((p) => p.text) : [];
  if (kind === 'openai-chat') {
    return {
      system: body.messages.filter((m: any) => m.role === 'system' || m.role === 'developer').flatMap((m: any) => textOf(m.content)),
      user: body.messages.filter((m: any) => m.role === 'user').flatMap((m: any) => textOf(m.content)),
      toolDescription: body.tools?.[0]?.function?.description,
    };
  }
  if (kind === 'openai-responses') {
    const items = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
    return {
      system: [
        ...(body.instructions ? [body.instructions] : []),
        ...items.filter((m: any) => m.role === 'system' || m.role === 'developer').flatMap((m: any) => textOf(m.content)),
      ],
      user: items.filter((m: any) => m.role === 'user').flatMap((m: any) => textOf(m.content)),
      toolDescription: body.tools?.[0]?.description,
    };
  }
  return {
    system: body.system === undefined ? [] : textOf(body.system),
    user: body.messages.filter((m: any) => m.role === 'user').flatMap((m: any) => textOf(m.content)),
    toolDescription: body.tools?.[0]?.description,
  };
}

/** One request from the API's official SDK; returns the answer's text. */
async function call(api: Api, model: string, stream: boolean): Promise<string> {
  if (api === 'chat-completions') {
    const params = {
      model,
      messages: [
        { role: 'system' as const, content: SYSTEM },
        { role: 'user' as const, content: USER },
      ],
      tools: [{ type: 'function' as const, function: TOOL }],
    };
    if (!stream) return (await openai.chat.completions.create(params)).choices[0].message.content ?? '';
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ ...params, stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  }
  if (api === 'responses') {
    const params = { model, instructions: SYSTEM, input: USER, tools: [{ type: 'function' as const, strict: false, ...TOOL }] };
    if (!stream) {
      const response = await openai.responses.create(params);
      expect(response.instructions).toBe(SYSTEM); // the client's own instructions come back, whatever the rules did
      return response.output_text;
    }
    let text = '';
    for await (const event of await openai.responses.create({ ...params, stream: true })) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.created' || event.type === 'response.completed') expect(event.response.instructions).toBe(SYSTEM);
    }
    return text;
  }
  const params = {
    model,
    max_tokens: 100,
    system: SYSTEM,
    messages: [{ role: 'user' as const, content: USER }],
    tools: [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.parameters as any }],
  };
  if (!stream) return (await anthropic.messages.create(params)).content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  let text = '';
  for await (const event of anthropic.messages.stream(params))
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  return text;
}

beforeAll(async () => {
  gw = await startTestGateway();
  key = (await createKey(gw)).key;
  openai = openaiClient(gw, key);
  anthropic = anthropicClient(gw, key);
  for (const kind of ['openai-chat', 'openai-responses', 'anthropic'] as UpstreamKind[]) {
    const added = await addUpstream(gw, kind);
    mocks[kind] = added.mock;
    const modelId = (
      await gw.admin<{ models: { nodes: Array<{ id: string; name: string }> } }>('{ models(first: 500) { nodes { id name } } }')
    ).models.nodes.find((m) => m.name === added.model)!.id;
    const vm = `vm-${kind}`;
    vmIds[vm] = await createVirtualModel(gw, { name: vm, strategy: 'FAILOVER', targets: [{ modelId }] });
  }
});

afterAll(async () => {
  await gw?.stop();
  for (const mock of Object.values(mocks)) await mock.close();
});

interface Case {
  name: string;
  rules: Array<Record<string, unknown>>;
  check(seen: { system: string[]; user: string[] }): void;
}

const CASES: Case[] = [
  {
    name: 'replace (literal, case-insensitive, user messages)',
    rules: [{ kind: 'REPLACE', match: 'BOB', replacement: 'Alice', caseSensitive: false, scope: ['USER'] }],
    check: (s) => {
      expect(s.user.join(' ')).toContain('my name is Alice');
      expect(s.system).toEqual([SYSTEM]);
    },
  },
  {
    name: 'replace (regex with a group, system and user)',
    rules: [{ kind: 'REPLACE', match: '(terse|Bob)', replacement: '<$1>', regex: true }],
    check: (s) => {
      expect(s.system).toEqual(['You are <terse>. Be polite.']);
      expect(s.user.join(' ')).toContain('my name is <Bob>');
    },
  },
  {
    name: 'prepend to the system prompt',
    rules: [{ kind: 'PREPEND', text: 'RULE-P', target: 'SYSTEM' }],
    check: (s) => expect(s.system).toEqual([`RULE-P\n\n${SYSTEM}`]),
  },
  {
    name: 'append to the last user message',
    rules: [{ kind: 'APPEND', text: 'RULE-A', target: 'LAST_USER' }],
    check: (s) => expect(s.user).toEqual([`${USER}\n\nRULE-A`]),
  },
  { name: 'set the system message', rules: [{ kind: 'SET_SYSTEM', text: 'RULE-S' }], check: (s) => expect(s.system).toEqual(['RULE-S']) },
  { name: 'remove the system message', rules: [{ kind: 'REMOVE_SYSTEM' }], check: (s) => expect(s.system).toEqual([]) },
  {
    name: 'inject a user message at the end',
    rules: [{ kind: 'INJECT_MESSAGE', role: 'USER', text: 'RULE-I', at: 'END' }],
    check: (s) => expect(s.user).toEqual([USER, 'RULE-I']),
  },
];

describe.each(['chat-completions', 'responses', 'messages'] as Api[])('%s client', (api) => {
  const kind = NATIVE[api];
  const vm = `vm-${kind}`;
  for (const c of CASES) {
    test.each([false, true])(`${c.name} (stream: %s)`, async (stream) => {
      await setRules(vm, c.rules);
      const before = mocks[kind].requests.length;
      const text = await call(api, vm, stream);
      expect(text.length).toBeGreaterThan(0);
      expect(mocks[kind].requests.length).toBe(before + 1);
      const received = seen(kind, lastRequest(mocks[kind]).body);
      c.check(received);
      // Tool definitions are never rewritten, even by a rule that would match them.
      expect(received.toolDescription).toBe(TOOL.description);
    });
  }

  test('without rules the body passes through unchanged', async () => {
    await setRules(vm, []);
    await call(api, vm, false);
    const received = seen(kind, lastRequest(mocks[kind]).body);
    expect(received.system).toEqual([SYSTEM]);
    expect(received.user).toEqual([USER]);
  });
});

test('the same rule gives the same result over a translated path (chat client → Anthropic upstream)', async () => {
  await setRules('vm-anthropic', [
    { kind: 'SET_SYSTEM', text: 'RULE-S' },
    { kind: 'APPEND', text: 'RULE-A', target: 'LAST_USER' },
  ]);
  await call('chat-completions', 'vm-anthropic', true);
  const received = seen('anthropic', lastRequest(mocks.anthropic).body);
  expect(received.system).toEqual(['RULE-S']);
  expect(received.user).toEqual([`${USER}\n\nRULE-A`]);
});

test('tool results in the conversation are never rewritten', async () => {
  await setRules('vm-openai-chat', [{ kind: 'REPLACE', match: 'Bob', replacement: 'Alice' }]);
  await openai.chat.completions.create({
    model: 'vm-openai-chat',
    messages: [
      { role: 'user', content: 'Find Bob' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"who":"Bob"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Bob is here' },
    ],
    tools: [{ type: 'function', function: TOOL }],
  });
  const body = lastRequest(mocks['openai-chat']).body;
  expect(body.messages[0].content).toBe('Find Alice');
  expect(body.messages[1].tool_calls[0].function.arguments).toBe('{"who":"Bob"}');
  expect(body.messages[2].content).toBe('Bob is here');
});

describe('admin API', () => {
  test('rule order is respected and can be changed with reorderPromptRules', async () => {
    const [append, replace] = await setRules('vm-openai-chat', [
      { kind: 'APPEND', text: 'X', target: 'LAST_USER' },
      { kind: 'REPLACE', match: 'X', replacement: 'Y', scope: ['USER'] },
    ]);
    await call('chat-completions', 'vm-openai-chat', false);
    expect(seen('openai-chat', lastRequest(mocks['openai-chat']).body).user).toEqual([`${USER}\n\nY`]);

    const reordered = await gw.admin<{ reorderPromptRules: unknown }>(
      'mutation($vm: ID!, $ids: [ID!]!) { reorderPromptRules(virtualModelId: $vm, ruleIds: $ids) { id position } }',
      {
        vm: vmIds['vm-openai-chat'],
        ids: [replace, append],
      },
    );
    expect(reordered.reorderPromptRules).toEqual([
      { id: replace, position: 0 },
      { id: append, position: 1 },
    ]);
    await call('chat-completions', 'vm-openai-chat', false);
    expect(seen('openai-chat', lastRequest(mocks['openai-chat']).body).user).toEqual([`${USER}\n\nX`]);

    const bad = await gw.gql(
      'mutation($vm: ID!, $ids: [ID!]!) { reorderPromptRules(virtualModelId: $vm, ruleIds: $ids) { id } }',
      { vm: vmIds['vm-openai-chat'], ids: [append] },
      await gw.adminToken(),
    );
    expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('update merges settings, disabling a rule stops it, and the virtual model lists its rules', async () => {
    const [id] = await setRules('vm-openai-chat', [{ kind: 'SET_SYSTEM', text: 'one' }]);
    const updated = await gw.admin<{ updatePromptRule: unknown }>(
      'mutation($id: ID!, $i: UpdatePromptRuleInput!) { updatePromptRule(id: $id, input: $i) { kind text enabled config } }',
      {
        id,
        i: { text: 'two' },
      },
    );
    expect(updated.updatePromptRule).toEqual({ kind: 'SET_SYSTEM', text: 'two', enabled: true, config: { text: 'two' } });
    const vm = await gw.admin<{ virtualModel: { rules: unknown[] } }>('query($id: ID!) { virtualModel(id: $id) { rules { id kind text } } }', {
      id: vmIds['vm-openai-chat'],
    });
    expect(vm.virtualModel.rules).toEqual([{ id, kind: 'SET_SYSTEM', text: 'two' }]);
    await call('chat-completions', 'vm-openai-chat', false);
    expect(seen('openai-chat', lastRequest(mocks['openai-chat']).body).system).toEqual(['two']);
    await gw.admin('mutation($id: ID!, $i: UpdatePromptRuleInput!) { updatePromptRule(id: $id, input: $i) { id } }', { id, i: { enabled: false } });
    await call('chat-completions', 'vm-openai-chat', false);
    expect(seen('openai-chat', lastRequest(mocks['openai-chat']).body).system).toEqual([SYSTEM]);
  });

  test('an invalid regex is refused with BAD_USER_INPUT naming the field', async () => {
    const token = await gw.adminToken();
    const result = await gw.gql(CREATE_RULE, { vm: vmIds['vm-openai-chat'], i: { kind: 'REPLACE', match: '(unclosed', regex: true } }, token);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.config.match' });
    expect(result.errors![0].message).toMatch(/invalid regular expression/);
    const lookaround = await gw.gql(CREATE_RULE, { vm: vmIds['vm-openai-chat'], i: { kind: 'REPLACE', match: '(?<=a)b', regex: true } }, token);
    expect(lookaround.errors![0].message).toMatch(/lookarounds and backreferences are not supported/);
    const missing = await gw.gql(CREATE_RULE, { vm: vmIds['vm-openai-chat'], i: { kind: 'PREPEND' } }, token);
    expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.config.text' });
  });

  test('preview rewrites a sample in its own format, from draft rules or saved ones', async () => {
    const PREVIEW =
      'query($vm: ID, $rules: [PromptRuleInput!], $f: ClientFormat!, $s: JSON!) { previewPromptRules(virtualModelId: $vm, rules: $rules, format: $f, sampleRequest: $s) { request rulesApplied { id kind } } }';
    type Preview = { previewPromptRules: { request: unknown; rulesApplied: unknown[] } };
    const sample = { model: 'any', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi Bob' }], x_unknown: 1 };
    const draft = await gw.admin<Preview>(PREVIEW, {
      rules: [{ kind: 'REPLACE', match: 'Bob', replacement: 'Ann' }, { kind: 'REMOVE_SYSTEM' }],
      f: 'MESSAGES',
      s: JSON.stringify(sample),
    });
    expect(draft.previewPromptRules.request).toEqual({
      model: 'any',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi Ann' }] }],
      x_unknown: 1,
    });
    expect(draft.previewPromptRules.rulesApplied).toEqual([
      { id: 'rules[0]', kind: 'REPLACE' },
      { id: 'rules[1]', kind: 'REMOVE_SYSTEM' },
    ]);

    const [id] = await setRules('vm-openai-responses', [{ kind: 'SET_SYSTEM', text: 'Operator prompt' }]);
    const saved = await gw.admin<Preview>(PREVIEW, {
      vm: vmIds['vm-openai-responses'],
      f: 'RESPONSES',
      s: { model: 'x', instructions: 'mine', input: 'hello' },
    });
    expect(saved.previewPromptRules.request).toMatchObject({
      model: 'x',
      instructions: 'Operator prompt',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
    });
    expect(saved.previewPromptRules.rulesApplied).toEqual([{ id, kind: 'SET_SYSTEM' }]);

    const token = await gw.adminToken();
    const badSample = await gw.gql(PREVIEW, { rules: [], f: 'CHAT_COMPLETIONS', s: '{"model": "x"}' }, token);
    expect(badSample.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sampleRequest' });
    const badRule = await gw.gql(PREVIEW, { rules: [{ kind: 'REPLACE', match: '[', regex: true }], f: 'CHAT_COMPLETIONS', s: '{}' }, token);
    expect(badRule.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rules.0.config.match' });
  });

  test('the request log records which rules fired', async () => {
    const [a, b] = await setRules('vm-anthropic', [
      { kind: 'SET_SYSTEM', text: 'S' },
      { kind: 'REPLACE', match: 'nothing-matches-this', replacement: 'x' },
    ]);
    await call('messages', 'vm-anthropic', false);
    let rows: Array<{ rulesApplied: unknown; injectedTokens: number | null }> = [];
    for (let i = 0; i < 50 && !rows.some((r) => r.rulesApplied); i++) {
      await gw.services.requestLogs.flush();
      rows = (
        await gw.admin<{ requestLogs: { nodes: typeof rows } }>(
          '{ requestLogs(first: 5, filter: { model: "vm-anthropic" }) { nodes { rulesApplied injectedTokens } } }',
        )
      ).requestLogs.nodes;
      if (!rows.some((r) => r.rulesApplied)) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rows[0].rulesApplied).toEqual([{ id: a, kind: 'set_system' }]);
    expect(rows[0].rulesApplied).not.toContainEqual(expect.objectContaining({ id: b }));
    expect(rows[0].injectedTokens).toBe(0);
  });
});
