import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyConfig, ConfigFileError, exportConfig, planConfig } from '../../server/config-as-code/index.js';
import { instanceDeps } from '../../server/config-as-code/instance.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createModel, createProvider, createVirtualModel } from '../support/admin.js';

/** Cache settings, guardrails and alerts travel through a configuration file like the core objects. */

const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/slack-token-abcdef123456';
const HOOK_URL = 'https://hooks.example.com/alerts?token=hook-token-987654';
const HOOK_SECRET = 'hmac-signing-secret-5550123';
const ENV = {
  ALERT_OPS_SLACK_URL: SLACK_URL,
  ALERT_OPS_HOOK_URL: HOOK_URL,
  ALERT_OPS_HOOK_SECRET: HOOK_SECRET,
};

let source: TestGateway;
let target: TestGateway;

async function configure(gw: TestGateway) {
  const provider = await createProvider(gw, { name: 'main', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined });
  const chat = await createModel(gw, provider, 'claude-main', 'claude-sonnet-4');
  await createModel(gw, provider, 'embed', 'text-embedding-3-small', { mode: 'embedding' });
  await gw.admin('mutation($id: ID!){ setModelAutoPromptCache(id: $id, enabled: true){ id } }', { id: chat });
  const vm = await createVirtualModel(gw, { name: 'smart', strategy: 'FAILOVER', targets: [{ modelId: chat, priority: 0 }] });
  await gw.admin('mutation($id: ID!, $i: CacheSettingsInput){ setVirtualModelCache(id: $id, input: $i){ id } }', {
    id: vm,
    i: { enabled: true, ttlSeconds: 900, shared: true, semantic: { enabled: true, embeddingModel: 'embed', threshold: 0.9 } },
  });
  const key = await createKey(gw, { name: 'app-one' });
  await createKey(gw, { name: 'app-two' });
  await gw.admin('mutation($id: ID!, $i: CacheSettingsInput){ setVirtualKeyCache(id: $id, input: $i){ id } }', {
    id: key.id,
    i: { enabled: true, ttlSeconds: 60, clientControl: false },
  });
  await gw.admin('mutation($i: GuardrailInput!){ createGuardrail(input: $i){ id } }', {
    i: {
      name: 'pii',
      mode: 'MASK',
      stage: 'BOTH',
      detectors: ['EMAIL', 'PHONE'],
      patterns: [{ label: 'TICKET', pattern: 'TCK-\\d+' }],
      words: ['project-falcon'],
      keyIds: [key.id],
      virtualModelIds: [vm],
    },
  });
  await gw.admin('mutation($i: GuardrailInput!){ createGuardrail(input: $i){ id } }', {
    i: { name: 'judge', mode: 'BLOCK', moderation: { model: 'claude-main', format: 'CHAT_VERDICT', timeoutMs: 2000, failClosed: true }, keyIds: [key.id] },
  });
  const slack = await gw.admin<{ createAlertChannel: { id: string } }>('mutation($i: AlertChannelInput!){ createAlertChannel(input: $i){ id } }', {
    i: { name: 'ops-slack', kind: 'SLACK', url: SLACK_URL },
  });
  const hook = await gw.admin<{ createAlertChannel: { id: string } }>('mutation($i: AlertChannelInput!){ createAlertChannel(input: $i){ id } }', {
    i: { name: 'ops-hook', kind: 'WEBHOOK', url: HOOK_URL, secret: HOOK_SECRET },
  });
  await gw.admin('mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }', {
    i: {
      name: 'budgets',
      kind: 'BUDGET',
      params: { thresholds: [80, 100] },
      channelIds: [slack.createAlertChannel.id, hook.createAlertChannel.id],
      cooldownSeconds: 60,
    },
  });
  await gw.admin('mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }', {
    i: { name: 'down', kind: 'TARGET_DOWN', channelIds: [slack.createAlertChannel.id], enabled: false },
  });
}

beforeAll(async () => {
  [source, target] = await Promise.all([startTestGateway(), startTestGateway()]);
  await configure(source);
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('cache, guardrails and alerts as code', () => {
  test('the export holds cache settings, guardrails by name and alert channels by reference, never a URL or secret', async () => {
    const exported = await exportConfig(instanceDeps(source.services, {}));
    for (const secret of [SLACK_URL, 'slack-token-abcdef123456', HOOK_URL, 'hook-token-987654', HOOK_SECRET]) expect(exported.yaml).not.toContain(secret);
    const file = parse(exported.yaml);
    expect(file.models.find((m: any) => m.name === 'claude-main').autoPromptCache).toBe(true);
    expect(file.models.find((m: any) => m.name === 'embed').autoPromptCache).toBeUndefined();
    expect(file.virtualModels[0].cache).toEqual({
      enabled: true,
      ttlSeconds: 900,
      shared: true,
      clientControl: true,
      semantic: { enabled: true, embeddingModel: 'embed', threshold: 0.9 },
    });
    expect(file.virtualKeys.find((k: any) => k.name === 'app-one').cache).toEqual({ enabled: true, ttlSeconds: 60, shared: false, clientControl: false });
    expect(file.virtualKeys.find((k: any) => k.name === 'app-two').cache).toBeUndefined();
    expect(file.guardrails).toEqual([
      {
        name: 'judge',
        mode: 'block',
        stage: 'request',
        moderation: { model: 'claude-main', format: 'chat-verdict', timeoutMs: 2000, failClosed: true },
        virtualKeys: ['app-one'],
        enabled: true,
      },
      {
        name: 'pii',
        mode: 'mask',
        stage: 'both',
        detectors: ['email', 'phone'],
        patterns: [{ label: 'TICKET', pattern: 'TCK-\\d+', caseSensitive: true }],
        words: ['project-falcon'],
        virtualKeys: ['app-one'],
        virtualModels: ['smart'],
        enabled: true,
      },
    ]);
    expect(file.alertChannels).toEqual([
      { name: 'ops-hook', kind: 'webhook', url: '${env:ALERT_OPS_HOOK_URL}', secret: '${env:ALERT_OPS_HOOK_SECRET}', enabled: true },
      { name: 'ops-slack', kind: 'slack', url: '${env:ALERT_OPS_SLACK_URL}', enabled: true },
    ]);
    expect(file.alertRules).toEqual([
      { name: 'budgets', kind: 'budget', params: { thresholds: [80, 100] }, channels: ['ops-hook', 'ops-slack'], cooldownSeconds: 60, enabled: true },
      { name: 'down', kind: 'target_down', params: {}, channels: ['ops-slack'], cooldownSeconds: 600, enabled: false },
    ]);
    expect(exported.suggestedVariables).toEqual(['ALERT_OPS_HOOK_SECRET', 'ALERT_OPS_HOOK_URL', 'ALERT_OPS_SLACK_URL']);
  });

  test('applied to another gateway, the same settings arrive, attached to that gateway’s own keys and models', async () => {
    const exported = await exportConfig(instanceDeps(source.services, {}));
    const result = await applyConfig(instanceDeps(target.services, ENV), exported.yaml);
    expect(
      result.plan.changes.filter((c) => ['guardrail', 'alertChannel', 'alertRule'].includes(c.kind)).map((c) => `${c.action} ${c.kind}:${c.name}`),
    ).toEqual([
      'create guardrail:judge',
      'create guardrail:pii',
      'create alertChannel:ops-hook',
      'create alertChannel:ops-slack',
      'create alertRule:budgets',
      'create alertRule:down',
    ]);
    const snapshot = target.services.snapshot.current;
    const keyId = (await target.services.db.virtualKey.findFirstOrThrow({ where: { name: 'app-one' } })).id;
    const vmId = snapshot.virtualModelsByName.get('smart')!.id;
    const pii = snapshot.guardrails!.find((g) => g.name === 'pii')!;
    expect(pii.keyIds).toEqual([keyId]);
    expect(pii.virtualModelIds).toEqual([vmId]);
    expect(pii.mode).toBe('mask');
    expect(snapshot.modelsByName.get('claude-main')?.autoPromptCache).toBe(true);
    const row = await target.services.db.virtualKey.findFirstOrThrow({ where: { name: 'app-one' } });
    expect(row.cache).toEqual({ enabled: true, ttlSeconds: 60, shared: false, clientControl: false });
    const hook = await target.services.db.alertChannel.findUniqueOrThrow({ where: { name: 'ops-hook' } });
    expect(target.services.secretBox.open(hook.urlSealed)).toBe(HOOK_URL);
    expect(target.services.secretBox.open(hook.secretSealed!)).toBe(HOOK_SECRET);
    expect(hook.urlSealed).not.toContain('hook-token');
    expect(hook.secretRefs).toEqual({ url: 'ALERT_OPS_HOOK_URL', secret: 'ALERT_OPS_HOOK_SECRET' });
    const rule = await target.services.db.alertRule.findUniqueOrThrow({ where: { name: 'budgets' } });
    const channelIds = (await target.services.db.alertChannel.findMany({ orderBy: { name: 'asc' } })).map((c) => c.id);
    expect([...(rule.channelIds as string[])].sort()).toEqual([...channelIds].sort());

    const again = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    const original = parse(exported.yaml);
    for (const section of ['models', 'virtualModels', 'virtualKeys', 'guardrails', 'alertChannels', 'alertRules'])
      expect(again[section], section).toEqual(original[section]);
    // The stored references are what a second export names: no more suggestions for the channels.
    expect((await exportConfig(instanceDeps(target.services, {}))).suggestedVariables).toEqual([]);
    expect((await applyConfig(instanceDeps(target.services, ENV), exported.yaml)).plan.changes).toEqual([]);
  });

  test('a diff names the changed fields; a new URL behind the same reference shows only the reference', async () => {
    const file = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    file.guardrails.find((g: any) => g.name === 'pii').mode = 'redact';
    file.alertRules.find((r: any) => r.name === 'budgets').params = { thresholds: [50, 80, 100] };
    file.virtualKeys.find((k: any) => k.name === 'app-two').cache = { enabled: true };
    file.models.find((m: any) => m.name === 'claude-main').autoPromptCache = false;
    const rotated = 'https://hooks.slack.com/services/T000/B000/rotated-token-000999';
    const plan = await planConfig(instanceDeps(target.services, { ...ENV, ALERT_OPS_SLACK_URL: rotated }), stringify(file));
    expect(plan.changes).toEqual([
      { kind: 'model', name: 'claude-main', action: 'update', fields: [{ field: 'autoPromptCache', from: true }] },
      {
        kind: 'virtualKey',
        name: 'app-two',
        action: 'update',
        fields: [{ field: 'cache', to: { enabled: true, shared: false, clientControl: true } }],
      },
      { kind: 'guardrail', name: 'pii', action: 'update', fields: [{ field: 'mode', from: 'mask', to: 'redact' }] },
      {
        kind: 'alertChannel',
        name: 'ops-slack',
        action: 'update',
        fields: [{ field: 'url', from: '${env:ALERT_OPS_SLACK_URL}', to: '${env:ALERT_OPS_SLACK_URL} (new value)' }],
      },
      {
        kind: 'alertRule',
        name: 'budgets',
        action: 'update',
        fields: [{ field: 'params', from: { thresholds: [80, 100] }, to: { thresholds: [50, 80, 100] } }],
      },
    ]);
    expect(JSON.stringify(plan)).not.toContain('rotated-token');
    await applyConfig(instanceDeps(target.services, { ...ENV, ALERT_OPS_SLACK_URL: rotated }), stringify(file));
    expect(target.services.snapshot.current.modelsByName.get('claude-main')?.autoPromptCache).toBeUndefined();
    expect(target.services.snapshot.current.guardrails!.find((g) => g.name === 'pii')!.mode).toBe('redact');
    const slack = await target.services.db.alertChannel.findUniqueOrThrow({ where: { name: 'ops-slack' } });
    expect(target.services.secretBox.open(slack.urlSealed)).toBe(rotated);
  });

  test('bad guardrails, channels and rules are refused with the path of each problem, and nothing is written', async () => {
    const guardrails = await target.services.db.guardrail.count();
    const bad = `version: 1
guardrails:
  - name: broken
    mode: mask
    patterns: [{ label: TICKET, pattern: "(?=lookahead)" }]
    virtualKeys: [nobody]
  - name: empty
    mode: log
alertChannels:
  - name: mail
    kind: smtp
    url: \${env:ALERT_OPS_HOOK_URL}
  - name: literal
    kind: slack
    url: https://hooks.slack.com/services/literal
alertRules:
  - name: r1
    kind: error_rate
    params: { threshold: 3 }
    channels: [nowhere]
`;
    const error = await applyConfig(instanceDeps(target.services, ENV), bad).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.problems).toEqual([
      'alertChannels.1.url: must be a reference to an environment variable, ${env:NAME} (secrets are never written in the file)',
    ]);
    const semantic = await applyConfig(
      instanceDeps(target.services, ENV),
      bad.replace('    url: https://hooks.slack.com/services/literal\n', '    url: ${env:ALERT_OPS_SLACK_URL}\n'),
    ).catch((e) => e);
    expect(semantic).toBeInstanceOf(ConfigFileError);
    const text = semantic.problems.join('\n');
    expect(text).toContain('guardrails.broken.patterns.0.pattern');
    expect(text).toContain('guardrails.empty.detectors: choose at least one detector');
    expect(text).toContain('alertChannels.mail.url: must be smtp://… or smtps://… (from ${env:ALERT_OPS_HOOK_URL})');
    expect(text).toContain('alertChannels.mail.options.from: a sender address is required');
    expect(text).toContain('alertRules.r1.params: threshold');
    expect(text).not.toContain(HOOK_URL);
    const dangling = await applyConfig(
      instanceDeps(target.services, ENV),
      'version: 1\nguardrails:\n  - name: g1\n    mode: log\n    detectors: [email]\n    virtualKeys: [nobody]\nalertRules:\n  - name: r2\n    kind: key_expiry\n    channels: [nowhere]\n',
    ).catch((e) => e);
    expect(dangling.problems).toEqual(['guardrails.g1.virtualKeys: no virtual key named "nobody"', 'alertRules.r2.channels: no alert channel named "nowhere"']);
    expect(await target.services.db.guardrail.count()).toBe(guardrails);
  });

  test('with --prune, guardrails, channels and rules the file lacks are deleted', async () => {
    const file = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    file.guardrails = file.guardrails.filter((g: any) => g.name === 'pii');
    file.alertRules = file.alertRules.filter((r: any) => r.name === 'down');
    file.alertChannels = file.alertChannels.filter((c: any) => c.name === 'ops-slack');
    const text = stringify(file);
    const kept = await planConfig(instanceDeps(target.services, ENV), text);
    expect(kept.changes.filter((c) => c.action === 'delete')).toEqual([]);
    const pruned = await applyConfig(
      instanceDeps(target.services, { ...ENV, ALERT_OPS_SLACK_URL: 'https://hooks.slack.com/services/T000/B000/rotated-token-000999' }),
      text,
      {
        prune: true,
      },
    );
    expect(pruned.plan.changes.map((c) => `${c.action} ${c.kind}:${c.name}`)).toEqual([
      'delete guardrail:judge',
      'delete alertChannel:ops-hook',
      'delete alertRule:budgets',
    ]);
    expect((await target.services.db.guardrail.findMany()).map((g) => g.name)).toEqual(['pii']);
    expect((await target.services.db.alertChannel.findMany()).map((c) => c.name)).toEqual(['ops-slack']);
    expect((await target.services.db.alertRule.findMany()).map((r) => r.name)).toEqual(['down']);
    expect(target.services.snapshot.current.guardrails!.map((g) => g.name)).toEqual(['pii']);
  });
});
