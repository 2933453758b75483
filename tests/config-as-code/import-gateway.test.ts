import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importConfig } from '../../server/config-as-code/importers/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startAnthropicMock } from '../support/mock-upstreams/anthropic.js';
import { startOpenAIChatMock } from '../support/mock-upstreams/openai-chat.js';
import type { MockUpstream } from '../support/mock-upstreams/types.js';
import { createKey, newUserToken } from '../support/admin.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/llm-gateway.mjs');

let gw: TestGateway;
let openaiA: MockUpstream;
let openaiB: MockUpstream;
let anthropic: MockUpstream;
let dir: string;

const APPLY =
  'mutation($y: String!, $p: Boolean, $d: Boolean){ applyConfig(yaml: $y, prune: $p, dryRun: $d){ applied plan { text changes { kind name action } } createdKeys { name key } } }';
/** APPLY's answer, with the fields the tests read. */
type Applied = { applyConfig: { applied: boolean; plan: { changes: Array<{ kind: string; name: string; action: string }> } } };

beforeAll(async () => {
  [gw, openaiA, openaiB, anthropic] = await Promise.all([
    startTestGateway(),
    startOpenAIChatMock({ apiKey: 'upstream-key-aaaaaaaa' }),
    startOpenAIChatMock({ apiKey: 'upstream-key-bbbbbbbb' }),
    startAnthropicMock({ apiKey: 'upstream-key-cccccccc' }),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'config-import-'));
  // References resolve in the gateway's environment.
  Object.assign(process.env, { CAC_OPENAI_A: 'upstream-key-aaaaaaaa', CAC_OPENAI_B: 'upstream-key-bbbbbbbb', CAC_ANTHROPIC: 'upstream-key-cccccccc' });
});

afterAll(async () => {
  await Promise.all([gw?.stop(), openaiA?.close(), openaiB?.close(), anthropic?.close()]);
});

async function appKey(models?: string[]): Promise<string> {
  return (await createKey(gw, { allowedModels: models })).key;
}

describe('LiteLLM config.yaml import', () => {
  const litellm = () => `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: ${openaiA.url}
      api_key: os.environ/CAC_OPENAI_A
      rpm: 300
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o-2024-08-06
      api_base: ${openaiB.url}
      api_key: os.environ/CAC_OPENAI_B
      rpm: 100
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4
      api_base: ${anthropic.url}
      api_key: os.environ/CAC_ANTHROPIC
      temperature: 0.3
  - model_name: local
    litellm_params:
      model: vertex_ai/gemini-pro
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 2
  fallbacks:
    - claude: ["gpt-4o"]
general_settings:
  master_key: sk-1234
`;

  test('the CLI prints the gateway file and reports what it could not map', async () => {
    const file = path.join(dir, 'litellm.yaml');
    writeFileSync(file, litellm());
    const { stdout, stderr } = await run(process.execPath, [CLI, 'config', 'import', '--from', 'litellm', file], { cwd: ROOT, timeout: 60_000 });
    const out = parse(stdout);
    expect(out.providers.map((p: any) => [p.type, p.baseUrl, p.apiKey])).toEqual([
      ['openai', openaiA.url, '${env:CAC_OPENAI_A}'],
      ['openai', openaiB.url, '${env:CAC_OPENAI_B}'],
      ['anthropic', anthropic.url, '${env:CAC_ANTHROPIC}'],
    ]);
    const gpt = out.virtualModels.find((v: any) => v.name === 'gpt-4o');
    expect(gpt.strategy).toBe('LOAD_BALANCE');
    expect(gpt.targets.map((t: any) => t.weight)).toEqual([300, 100]);
    expect(gpt.options).toEqual({ retries: 2 });
    const claude = out.virtualModels.find((v: any) => v.name === 'claude');
    expect(claude.strategy).toBe('FAILOVER');
    expect(claude.targets.map((t: any) => [t.model, t.priority])).toEqual([
      ['claude@anthropic', 0],
      ['gpt-4o@openai-compatible', 1],
      ['gpt-4o@openai-compatible-2', 1],
    ]);
    expect(out.models.find((m: any) => m.name === 'claude@anthropic').requestDefaults).toEqual({ body: { temperature: 0.3 } });
    expect(stderr).toContain('provider prefix "vertex_ai/" has no gateway provider type');
    expect(stderr).toContain('general_settings.master_key');
    expect(stdout).not.toContain('sk-1234');
  });

  test('the imported file applied through GraphQL answers through the gateway, with failover', async () => {
    const imported = importConfig('litellm', litellm());
    const result = await gw.admin<Applied>(APPLY, { y: imported.yaml });
    expect(result.applyConfig.applied).toBe(true);
    expect(result.applyConfig.plan.changes.filter((c) => c.action === 'create').length).toBe(3 + 3 + 2);
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: await appKey(), maxRetries: 0 });
    const answers = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `hi ${i}` }] });
      answers.add(r.choices[0].message.content!.replace(/: .*/, ''));
    }
    expect(openaiA.requests.length + openaiB.requests.length).toBe(12);
    expect(openaiA.requests.length).toBeGreaterThan(0);
    expect(openaiA.requests[0].headers.authorization).toBe('Bearer upstream-key-aaaaaaaa');
    const claude = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hello' }] });
    expect(claude.choices[0].message.content).toBe('Hello from anthropic: hello');
    expect(anthropic.requests.at(-1)!.body.temperature).toBe(0.3);
    anthropic.enqueue({ type: 'error', status: 500 });
    const failedOver = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'again' }] });
    expect(failedOver.choices[0].message.content).toBe('Hello from openai-chat: again');
    // Applying the same import again changes nothing.
    expect((await gw.admin<Applied>(APPLY, { y: imported.yaml })).applyConfig.plan.changes).toEqual([]);
  });
});

describe('new-api channel export import', () => {
  test('channels become providers, mapped models and a priority failover that answers', async () => {
    const channels = JSON.stringify([
      {
        id: 1,
        type: 1,
        name: 'Primary OpenAI',
        key: 'sk-channel-secret-1111',
        base_url: openaiA.url.replace(/\/v1$/, ''),
        models: 'nx-chat,nx-mini',
        model_mapping: '{"nx-chat":"gpt-4o"}',
        priority: 10,
        weight: 0,
        status: 1,
      },
      {
        id: 2,
        type: 14,
        name: 'Claude',
        key: 'sk-channel-secret-2222',
        base_url: anthropic.url,
        models: 'nx-chat',
        priority: 0,
        weight: 5,
        status: 1,
        group: 'vip',
      },
      { id: 3, type: 33, name: 'Bedrock', key: 'x', models: 'nx-chat' },
    ]);
    const imported = importConfig('new-api', channels);
    expect(imported.yaml).not.toContain('sk-channel-secret');
    expect(imported.variables).toEqual(['CLAUDE_API_KEY', 'PRIMARY_OPENAI_API_KEY']);
    expect(imported.unmapped.join('\n')).toContain('channel type 33 has no gateway provider type');
    expect(imported.unmapped.join('\n')).toContain('channel groups (vip)');
    const file = imported.file;
    expect(file.providers!.map((p) => [p.name, p.type, p.baseUrl])).toEqual([
      ['primary-openai', 'openai', openaiA.url],
      ['claude', 'anthropic', anthropic.url],
    ]);
    expect(file.models!.find((m) => m.name === 'nx-chat@primary-openai')!.upstreamModel).toBe('gpt-4o');
    expect(file.virtualModels).toEqual([
      {
        name: 'nx-chat',
        strategy: 'FAILOVER',
        targets: [
          { model: 'nx-chat@primary-openai', weight: 1, priority: 0 },
          { model: 'nx-chat@claude', weight: 5, priority: 1 },
        ],
      },
    ]);

    Object.assign(process.env, { PRIMARY_OPENAI_API_KEY: 'upstream-key-aaaaaaaa', CLAUDE_API_KEY: 'upstream-key-cccccccc' });
    await gw.admin(APPLY, { y: imported.yaml });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: await appKey(['nx-chat', 'nx-mini']), maxRetries: 0 });
    const before = openaiA.requests.length;
    const r = await client.chat.completions.create({ model: 'nx-chat', messages: [{ role: 'user', content: 'ping' }] });
    expect(r.choices[0].message.content).toBe('Hello from openai-chat: ping');
    expect(openaiA.requests[before].body.model).toBe('gpt-4o');
    const mini = await client.chat.completions.create({ model: 'nx-mini', messages: [{ role: 'user', content: 'pong' }] });
    expect(mini.choices[0].message.content).toBe('Hello from openai-chat: pong');
  });
});

describe('new-api and one-api channel type ids', () => {
  test("each project's own ids: 43 is DeepSeek in new-api, 36 in one-api", () => {
    const channel = (type: number) =>
      JSON.stringify([{ id: 9, type, name: 'ds', key: 'k-secret-value-123', base_url: 'https://api.deepseek.com', models: 'deepseek-chat' }]);
    const fromNewApi = importConfig('new-api', channel(43)).file.providers![0];
    expect([fromNewApi.type, fromNewApi.baseUrl, fromNewApi.apiKey]).toEqual(['deepseek', 'https://api.deepseek.com/v1', '${env:DS_API_KEY}']);
    expect(importConfig('one-api', channel(36)).file.providers![0].type).toBe('deepseek');
    expect(importConfig('one-api', channel(43)).unmapped).toEqual(['channel 9 (ds): channel type 43 has no gateway provider type']);
    const volc = importConfig(
      'new-api',
      JSON.stringify([{ id: 1, type: 45, name: 'ark', key: 'x', base_url: 'https://ark.cn-beijing.volces.com', models: 'doubao-pro' }]),
    );
    expect(volc.file.providers![0]).toMatchObject({ type: 'volcengine', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3' });
  });
});

describe('GraphQL access', () => {
  test('a viewer may neither export, plan nor apply', async () => {
    const token = await newUserToken(gw, { email: 'viewer@example.com', password: 'viewer-password-1', role: 'viewer' });
    for (const op of [
      '{ exportConfig { yaml } }',
      'query{ planConfig(yaml: "version: 1"){ text } }',
      'mutation{ applyConfig(yaml: "version: 1"){ applied } }',
    ]) {
      const res = await gw.gql(op, {}, token);
      expect(res.errors?.[0]?.extensions?.code, op).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
    }
    const bad = await gw.gql('mutation{ applyConfig(yaml: "version: 2"){ applied } }', {}, await gw.adminToken());
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toContain('version');
  });

  test('the CLI against the running gateway (--url, --token): export, dry-run, apply', async () => {
    const token = await gw.adminToken();
    const env = { ...process.env, GATEWAY_URL: gw.url, GATEWAY_TOKEN: token };
    const exported = await run(process.execPath, [CLI, 'config', 'export'], { cwd: ROOT, env, timeout: 60_000 });
    expect(exported.stdout).not.toContain('upstream-key-');
    const file = parse(exported.stdout);
    file.models.find((m: any) => m.name === 'nx-mini').outputPrice = 0.000002;
    const edited = path.join(dir, 'edited.yaml');
    const { stringify } = await import('yaml');
    writeFileSync(edited, stringify(file));
    const dry = await run(process.execPath, [CLI, 'config', 'apply', '--dry-run', edited], { cwd: ROOT, env, timeout: 60_000 });
    expect(dry.stdout).toContain('~ update model "nx-mini"');
    expect(dry.stdout).toContain('outputPrice: (unset) -> 0.000002');
    expect((await gw.services.db.model.findUnique({ where: { name: 'nx-mini' } }))!.outputPrice).toBeNull();
    const applied = await run(process.execPath, [CLI, 'config', 'apply', edited], { cwd: ROOT, env, timeout: 60_000 });
    expect(applied.stdout).toContain('0 to create, 1 to change, 0 to delete');
    expect((await gw.services.db.model.findUnique({ where: { name: 'nx-mini' } }))!.outputPrice).toBe(0.000002);
    const diff = await run(process.execPath, [CLI, 'config', 'diff', edited], { cwd: ROOT, env, timeout: 60_000 });
    expect(diff.stdout).toContain('No changes');
  });
});
