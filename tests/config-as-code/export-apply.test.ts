import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyConfig, exportConfig, planConfig, ConfigFileError } from '../../server/config-as-code/index.js';
import { instanceDeps } from '../../server/config-as-code/instance.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createKey, createModel, createPromptRule, createProvider, createVirtualModel } from '../support/admin.js';

const PROVIDER_KEY = 'sk-live-provider-secret-0123456789';
const HEADER_SECRET = 'org-header-secret-value-987654';
const MODEL_HEADER_SECRET = 'per-model-credential-31415926';
const ENV = { OPENAI_MAIN_API_KEY: PROVIDER_KEY, OPENAI_MAIN_X_ORG: HEADER_SECRET, GPT_MAIN_X_TRACE: MODEL_HEADER_SECRET };

let source: TestGateway;
let target: TestGateway;

async function configureThroughAdminApi(gw: TestGateway) {
  const p1 = await createProvider(gw, {
    name: 'openai-main',
    type: 'openai',
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: PROVIDER_KEY,
    headers: { 'X-Org': HEADER_SECRET },
    options: { timeouts: { firstByteMs: 5000 } },
  });
  const p2 = await createProvider(gw, { name: 'local', type: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, enabled: false });
  const m1 = await createModel(gw, p1, 'gpt-main', 'gpt-4o', {
    contextWindow: 128000,
    inputPrice: 0.0000025,
    outputPrice: 0.00001,
    supportsTools: true,
    requestDefaults: { body: { temperature: 0.2 }, headers: { 'X-Trace': MODEL_HEADER_SECRET } },
  });
  const m2 = await createModel(gw, p2, 'llama', 'llama3.2', { mode: 'chat' });
  const vm = await createVirtualModel(gw, {
    name: 'smart',
    description: 'main with local fallback',
    strategy: 'FAILOVER',
    options: { retries: 2, cooldownMs: 5000 },
    targets: [
      { modelId: m1, priority: 0 },
      { modelId: m2, priority: 1, weight: 3 },
    ],
  });
  await createPromptRule(gw, vm, { kind: 'PREPEND', text: 'Be brief.' });
  await createPromptRule(gw, vm, { kind: 'REPLACE', match: 'foo', replacement: 'bar', enabled: false });
  await createKey(gw, {
    name: 'app-one',
    allowedModels: ['smart'],
    rpmLimit: 60,
    budgetUsd: 5,
    budgetPeriod: 'monthly',
    expiresAt: '2031-01-01T00:00:00.000Z',
    logBodies: true,
  });
  await gw.admin('mutation($i: CreateHealthTargetInput!){ createHealthTarget(input: $i){ id } }', {
    i: { modelName: 'gpt-main', intervalSeconds: 600, checkConfig: { timeoutMs: 5000 } },
  });
}

beforeAll(async () => {
  [source, target] = await Promise.all([startTestGateway(), startTestGateway()]);
  await configureThroughAdminApi(source);
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('export → apply round trip', () => {
  test('an export names every secret by reference and contains no secret value', async () => {
    const exported = await exportConfig(instanceDeps(source.services, {}));
    expect(exported.yaml).not.toContain(PROVIDER_KEY);
    expect(exported.yaml).not.toContain(HEADER_SECRET);
    expect(exported.yaml).not.toContain(MODEL_HEADER_SECRET);
    expect(parse(exported.yaml).models.find((m: any) => m.name === 'gpt-main').requestDefaults).toEqual({
      body: { temperature: 0.2 },
      headers: { 'X-Trace': '${env:GPT_MAIN_X_TRACE}' },
    });
    expect(exported.yaml).not.toMatch(/sk-gw-/);
    const file = parse(exported.yaml);
    const main = file.providers.find((p: any) => p.name === 'openai-main');
    expect(main.apiKey).toBe('${env:OPENAI_MAIN_API_KEY}');
    expect(main.headers).toEqual({ 'X-Org': '${env:OPENAI_MAIN_X_ORG}' });
    expect(exported.suggestedVariables).toEqual(['GPT_MAIN_X_TRACE', 'OPENAI_MAIN_API_KEY', 'OPENAI_MAIN_X_ORG']);
    expect(exported.yaml).toContain('#   OPENAI_MAIN_API_KEY');
  });

  test('applying the export to an empty database reproduces the configuration object by object', async () => {
    const exported = await exportConfig(instanceDeps(source.services, {}));
    const result = await applyConfig(instanceDeps(target.services, ENV), exported.yaml);
    expect(result.applied).toBe(true);
    expect(result.plan.changes.every((c) => c.action === 'create')).toBe(true);
    expect(result.plan.changes.map((c) => `${c.kind}:${c.name}`).sort()).toEqual(
      [
        'healthTarget:model:gpt-main',
        'model:gpt-main',
        'model:llama',
        'provider:local',
        'provider:openai-main',
        'virtualKey:app-one',
        'virtualModel:smart',
      ].sort(),
    );
    expect(result.createdKeys.map((k) => k.name)).toEqual(['app-one']);
    expect(result.createdKeys[0].key).toMatch(/^sk-gw-/);

    const again = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    const original = parse(exported.yaml);
    for (const section of ['settings', 'providers', 'models', 'virtualModels', 'virtualKeys', 'healthTargets']) {
      expect(again[section], section).toEqual(original[section]);
    }
    // The secrets behind the references arrived, sealed, in the target's snapshot.
    const provider = [...target.services.snapshot.current.providersById.values()].find((p) => p.name === 'openai-main')!;
    expect(provider.apiKey).toBe(PROVIDER_KEY);
    expect(provider.headers).toEqual({ 'X-Org': HEADER_SECRET });
    expect(target.services.snapshot.current.modelsByName.get('gpt-main')?.requestDefaults).toEqual({
      body: { temperature: 0.2 },
      headers: { 'X-Trace': MODEL_HEADER_SECRET },
    });
    expect(target.services.snapshot.current.virtualModelsByName.get('smart')?.targets.length).toBe(2);
  });

  test('applying the same file twice changes nothing', async () => {
    const exported = await exportConfig(instanceDeps(target.services, {}));
    const before = await target.services.db.provider.findMany({ orderBy: { name: 'asc' } });
    const version = target.services.snapshot.current.version;
    const second = await applyConfig(instanceDeps(target.services, ENV), exported.yaml);
    expect(second.plan.changes).toEqual([]);
    expect(second.createdKeys).toEqual([]);
    expect(target.services.snapshot.current.version).toBe(version);
    const after = await target.services.db.provider.findMany({ orderBy: { name: 'asc' } });
    expect(after.map((p) => p.updatedAt.getTime())).toEqual(before.map((p) => p.updatedAt.getTime()));
    expect(await target.services.db.virtualKey.count({ where: { purpose: 'app' } })).toBe(1);
  });

  test('a diff lists exactly the changed objects and fields', async () => {
    const file = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    file.models.find((m: any) => m.name === 'gpt-main').outputPrice = 0.00002;
    file.virtualModels[0].strategy = 'LOAD_BALANCE';
    file.virtualKeys[0].rpmLimit = 120;
    file.models.push({ name: 'gpt-mini', provider: 'openai-main', upstreamModel: 'gpt-4o-mini' });
    const { stringify } = await import('yaml');
    const plan = await planConfig(instanceDeps(target.services, ENV), stringify(file));
    expect(plan.changes).toEqual([
      { kind: 'model', name: 'gpt-main', action: 'update', fields: [{ field: 'outputPrice', from: 0.00001, to: 0.00002 }] },
      {
        kind: 'model',
        name: 'gpt-mini',
        action: 'create',
        fields: [
          { field: 'enabled', to: true },
          { field: 'mode', to: 'chat' },
          { field: 'name', to: 'gpt-mini' },
          { field: 'provider', to: 'openai-main' },
          { field: 'upstreamModel', to: 'gpt-4o-mini' },
        ],
      },
      { kind: 'virtualModel', name: 'smart', action: 'update', fields: [{ field: 'strategy', from: 'FAILOVER', to: 'LOAD_BALANCE' }] },
      { kind: 'virtualKey', name: 'app-one', action: 'update', fields: [{ field: 'rpmLimit', from: 60, to: 120 }] },
    ]);
  });

  test('a changed secret behind the same reference is a change that shows only the reference', async () => {
    const exported = await exportConfig(instanceDeps(target.services, {}));
    const plan = await planConfig(instanceDeps(target.services, { ...ENV, OPENAI_MAIN_API_KEY: 'sk-rotated-secret-value-000111' }), exported.yaml);
    expect(plan.changes).toEqual([
      {
        kind: 'provider',
        name: 'openai-main',
        action: 'update',
        fields: [{ field: 'apiKey', from: '${env:OPENAI_MAIN_API_KEY}', to: '${env:OPENAI_MAIN_API_KEY} (new value)' }],
      },
    ]);
    expect(JSON.stringify(plan)).not.toContain('sk-rotated-secret-value-000111');
    const header = await planConfig(instanceDeps(target.services, { ...ENV, GPT_MAIN_X_TRACE: 'another-model-credential-271828' }), exported.yaml);
    expect(header.changes).toEqual([
      {
        kind: 'model',
        name: 'gpt-main',
        action: 'update',
        fields: [{ field: 'requestDefaults.headers.X-Trace', from: '${env:GPT_MAIN_X_TRACE}', to: '${env:GPT_MAIN_X_TRACE} (new value)' }],
      },
    ]);
  });

  test('without --prune nothing is deleted; with it, what the file lacks is deleted', async () => {
    const file = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    file.virtualModels = [];
    file.healthTargets = file.healthTargets.filter(() => false);
    file.models = file.models.filter((m: any) => m.name !== 'llama');
    const { stringify } = await import('yaml');
    const text = stringify(file);
    const kept = await applyConfig(instanceDeps(target.services, ENV), text);
    expect(kept.plan.changes).toEqual([]);
    expect(kept.plan.unmanaged.map((u) => `${u.kind}:${u.name}`).sort()).toEqual(['healthTarget:model:gpt-main', 'model:llama', 'virtualModel:smart']);
    expect(await target.services.db.model.count()).toBe(2);
    const pruned = await applyConfig(instanceDeps(target.services, ENV), text, { prune: true });
    expect(pruned.plan.changes.map((c) => `${c.action} ${c.kind}:${c.name}`).sort()).toEqual([
      'delete healthTarget:model:gpt-main',
      'delete model:llama',
      'delete virtualModel:smart',
    ]);
    expect((await target.services.db.model.findMany()).map((m) => m.name)).toEqual(['gpt-main']);
    expect(await target.services.db.virtualModel.count()).toBe(0);
    expect(target.services.snapshot.current.virtualModelsByName.has('smart')).toBe(false);
    expect((await applyConfig(instanceDeps(target.services, ENV), text, { prune: true })).plan.changes).toEqual([]);
  });

  test('a bad file is refused with every problem named, and nothing is written', async () => {
    const before = await target.services.db.provider.count();
    const bad = `version: 1
providers:
  - name: x
    type: not-a-type
    apiKey: sk-literal-key
models:
  - name: m1
    provider: nowhere
`;
    const error = await applyConfig(instanceDeps(target.services, ENV), bad).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect(error.problems.join('\n')).toContain('providers.0.type: unknown provider type');
    expect(error.problems.join('\n')).toContain('providers.0.apiKey: must be a reference to an environment variable');
    const missingEnv = await applyConfig(
      instanceDeps(target.services, {}),
      'version: 1\nproviders:\n  - name: y\n    type: openai\n    apiKey: ${env:NOT_SET_ANYWHERE}\n',
    ).catch((e) => e);
    expect(missingEnv.problems).toEqual(['providers.y.apiKey: environment variable NOT_SET_ANYWHERE is not set']);
    const dangling = await applyConfig(instanceDeps(target.services, ENV), 'version: 1\nmodels:\n  - name: m1\n    provider: nowhere\n').catch((e) => e);
    expect(dangling.problems).toEqual(['models.m1.provider: no provider named "nowhere"']);
    expect(await target.services.db.provider.count()).toBe(before);
  });

  test('applied objects are marked managed by config; others are not', async () => {
    const managed = await target.services.db.provider.findMany({ select: { name: true, managedBy: true }, orderBy: { name: 'asc' } });
    expect(managed).toEqual([
      { name: 'local', managedBy: 'config' },
      { name: 'openai-main', managedBy: 'config' },
    ]);
    const viaApi = await source.services.db.provider.findMany({ select: { managedBy: true } });
    expect(viaApi.every((p) => p.managedBy === null)).toBe(true);
  });
});
